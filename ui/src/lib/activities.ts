// Pure logic of activities and the calendar. Times are local wall-clock times without a zone:
// the backend speaks `YYYY-MM-DDTHH:MM:SS` (JSON) and takes `YYYY-MM-DD HH:MM` (forms); a
// `datetime-local` input speaks `YYYY-MM-DDTHH:MM`. Arithmetic on them runs in UTC on the
// wall-clock fields, so a daylight-saving change never shifts "15 minutes before".
import type { Activity, ActivityInput, CalendarDay, LinkInput } from '../backend';

export const ACTIVITY_KINDS = ['call', 'meeting', 'task', 'note'] as const;
export type PlannedKind = (typeof ACTIVITY_KINDS)[number];

const KIND_LABEL: Record<string, string> = {
  call: 'Call',
  meeting: 'Meeting',
  task: 'Task',
  email: 'E-mail',
  note: 'Note',
};

export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind;
}

const pad = (n: number) => String(n).padStart(2, '0');

const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** Wall-clock fields of a backend or input time as a UTC instant (for arithmetic only); null when not one. */
function wallClock(text: string): Date | null {
  const m = WALL.exec(text.trim());
  if (m === null) {
    return null;
  }
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s));
  // Rejects 2026-02-30 and 25:00 instead of rolling them over.
  return at.getUTCMonth() === mo - 1 && at.getUTCDate() === d && at.getUTCHours() === h ? at : null;
}

function formatWall(at: Date, sep: ' ' | 'T'): string {
  return `${String(at.getUTCFullYear())}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}${sep}${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

/** `2026-03-02T09:30` (a datetime-local value) → `2026-03-02 09:30`; blank → blank; anything else as typed (the backend names the problem). */
export function fromLocalInput(value: string): string {
  const text = value.trim();
  if (text === '') {
    return '';
  }
  const at = wallClock(text);
  return at === null ? text : formatWall(at, ' ');
}

/** A backend time (`2026-03-02T09:30:00`) or form time → a datetime-local value `2026-03-02T09:30`; blank for none. */
export function toLocalInput(value: string | null): string {
  if (value === null) {
    return '';
  }
  const at = wallClock(value);
  return at === null ? '' : formatWall(at, 'T');
}

/** A backend time as shown: `2026-03-02 09:30`. */
export function displayTime(value: string | null): string {
  if (value === null) {
    return '—';
  }
  const at = wallClock(value);
  return at === null ? value : formatWall(at, ' ');
}

/** The local wall clock of `now` as a datetime-local value. */
export function localInputOf(now: Date): string {
  return `${String(now.getFullYear())}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

/** The next quarter hour at or after `now` (seconds dropped), as a datetime-local value: where a new activity's due time starts. */
export function nextQuarterHour(now: Date): string {
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), now.getHours(), now.getMinutes());
  const up = (15 - (at.getMinutes() % 15)) % 15;
  at.setMinutes(at.getMinutes() + up);
  return localInputOf(at);
}

/** Choices of the reminder select: minutes before the due time ('' = none). */
export const REMINDER_CHOICES: { value: string; label: string }[] = [
  { value: '', label: 'No reminder' },
  { value: '0', label: 'At the due time' },
  { value: '5', label: '5 minutes before' },
  { value: '15', label: '15 minutes before' },
  { value: '30', label: '30 minutes before' },
  { value: '60', label: '1 hour before' },
  { value: '1440', label: '1 day before' },
];

/**
 * The reminder time `minutesBefore` the due time (`YYYY-MM-DD HH:MM`); null when there is no
 * due time, no reminder chosen, or the due time is not one (the backend then names the due field).
 */
export function reminderAt(due: string, minutesBefore: string): string | null {
  const at = wallClock(due);
  const before = Number.parseInt(minutesBefore, 10);
  if (at === null || minutesBefore.trim() === '' || Number.isNaN(before)) {
    return null;
  }
  return formatWall(new Date(at.getTime() - before * 60_000), ' ');
}

/** The form fields; backend field errors (camelCase) land under these. */
export const ACTIVITY_FIELDS = ['kind', 'subject', 'body', 'due', 'durationMinutes', 'reminder', 'deal', 'links', 'assignee'] as const;
export type ActivityField = (typeof ACTIVITY_FIELDS)[number];

export interface ActivityFormValues {
  kind: PlannedKind;
  subject: string;
  body: string;
  /** datetime-local value. */
  due: string;
  durationMinutes: string;
  /** Minutes before the due time ('' = none), see `REMINDER_CHOICES`. */
  reminder: string;
  /** A deal of the account ('' = none). */
  deal: string;
}

export function emptyActivityForm(now: Date, deal = ''): ActivityFormValues {
  return { kind: 'call', subject: '', body: '', due: nextQuarterHour(now), durationMinutes: '', reminder: '', deal };
}

/** What is sent: trimmed, times as `YYYY-MM-DD HH:MM`; a reminder only with a due time. */
export function activityInput(values: ActivityFormValues): ActivityInput {
  const due = fromLocalInput(values.due);
  return {
    kind: values.kind,
    subject: values.subject.trim(),
    body: values.body.trim(),
    due,
    durationMinutes: values.durationMinutes.trim(),
    reminder: due === '' ? '' : (reminderAt(due, values.reminder) ?? ''),
  };
}

/** The links of an activity made on an account's view, optionally on one of its deals. */
export function accountLinks(account: string, deal: string): LinkInput {
  return deal.trim() === '' ? { account } : { account, deal: deal.trim() };
}

/** Where an activity sits in time: its due time, else when it was done. */
export function whenOf(a: Activity): string | null {
  return a.due ?? a.done_at;
}

export type ActivityState = 'done' | 'overdue' | 'open';

/** Done; overdue (due time passed, not done); or open. `now` is a datetime-local value. */
export function activityState(a: Activity, now: string): ActivityState {
  if (a.done_at !== null) {
    return 'done';
  }
  const due = a.due === null ? null : toLocalInput(a.due);
  return due !== null && due !== '' && due < now ? 'overdue' : 'open';
}

/** An open activity can be marked done or moved; a logged e-mail is done from the start. */
export function canComplete(a: Activity): boolean {
  return a.done_at === null;
}

export function canReschedule(a: Activity): boolean {
  return a.done_at === null;
}

// ----- calendar -----

/** `YYYY-MM-DD` of a local `Date`. */
export function isoDay(d: Date): string {
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function dayUtc(day: string): Date | null {
  return wallClock(`${day}T00:00`);
}

/** `day` + `n` days (`YYYY-MM-DD`). */
export function addDays(day: string, n: number): string {
  const at = dayUtc(day);
  if (at === null) {
    return day;
  }
  at.setUTCDate(at.getUTCDate() + n);
  return formatWall(at, 'T').slice(0, 10);
}

/** The Monday of the week of `day` (weeks start on Monday). */
export function mondayOf(day: string): string {
  const at = dayUtc(day);
  if (at === null) {
    return day;
  }
  const back = (at.getUTCDay() + 6) % 7;
  return addDays(day, -back);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-03-02` → `Mon 2 Mar`. */
export function dayLabel(day: string): string {
  const at = dayUtc(day);
  if (at === null) {
    return day;
  }
  return `${WEEKDAYS[at.getUTCDay()] ?? ''} ${at.getUTCDate()} ${MONTHS[at.getUTCMonth()] ?? ''}`;
}

/** The hour (0–23) an activity starts in; null without a time. */
export function hourOf(a: Activity): number | null {
  const when = whenOf(a);
  const at = when === null ? null : wallClock(when);
  return at === null ? null : at.getUTCHours();
}

/** `HH:MM` of an activity. */
export function timeOf(a: Activity): string {
  const when = whenOf(a);
  const at = when === null ? null : wallClock(when);
  return at === null ? '' : `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

export interface CalendarGrid {
  /** `YYYY-MM-DD`, one column each. */
  days: string[];
  /** The hours shown, one row each: the working day (8–18) widened to every activity. */
  hours: number[];
  /** `cells[hourIndex][dayIndex]`: the activities starting in that hour of that day, by time. */
  cells: Activity[][][];
}

export const WORKDAY_FIRST_HOUR = 8;
export const WORKDAY_LAST_HOUR = 18;

/** Places the days' activities by day (columns) and hour (rows). */
export function calendarGrid(days: readonly CalendarDay[]): CalendarGrid {
  let first = WORKDAY_FIRST_HOUR;
  let last = WORKDAY_LAST_HOUR;
  for (const d of days) {
    for (const a of d.activities) {
      const h = hourOf(a);
      if (h !== null) {
        first = Math.min(first, h);
        last = Math.max(last, h);
      }
    }
  }
  const hours = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const cells = hours.map(() => days.map(() => [] as Activity[]));
  days.forEach((d, di) => {
    const byTime = [...d.activities].sort((a, b) => (whenOf(a) ?? '').localeCompare(whenOf(b) ?? ''));
    for (const a of byTime) {
      const h = hourOf(a);
      const row = h === null ? undefined : cells[h - first];
      row?.[di]?.push(a);
    }
  });
  return { days: days.map((d) => d.date), hours, cells };
}

export type CalendarView = 'day' | 'week';

/** The first day and the number of days a view reads around `day`. */
export function calendarRange(view: CalendarView, day: string): { from: string; days: number } {
  return view === 'day' ? { from: day, days: 1 } : { from: mondayOf(day), days: 7 };
}

/** Title of a view: `Mon 2 Mar` or `Mon 2 Mar – Sun 8 Mar`. */
export function rangeLabel(view: CalendarView, day: string): string {
  const { from, days } = calendarRange(view, day);
  return days === 1 ? dayLabel(from) : `${dayLabel(from)} – ${dayLabel(addDays(from, days - 1))}`;
}

/** A small raw e-mail looks like one: a header line before the first blank line. */
export function looksLikeEmail(source: string): boolean {
  const head = source.replace(/\r\n/g, '\n').split('\n\n')[0] ?? '';
  return /^[A-Za-z-]+:\s/m.test(head);
}
