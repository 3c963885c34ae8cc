import { describe, expect, it } from 'vitest';
import type { Activity, CalendarDay } from '../backend';
import {
  activityInput,
  activityState,
  addDays,
  calendarGrid,
  calendarRange,
  dayLabel,
  displayTime,
  emptyActivityForm,
  fromLocalInput,
  looksLikeEmail,
  mondayOf,
  nextQuarterHour,
  rangeLabel,
  reminderAt,
  timeOf,
  toLocalInput,
} from './activities';

function activity(id: string, due: string | null, done: string | null = null): Activity {
  return {
    id,
    kind: 'call',
    subject: `Call ${id}`,
    body: null,
    due,
    duration_minutes: null,
    done_at: done,
    assignee: 'carla',
    reminder: null,
    reminded_at: null,
    links: { account: 'a1', contact: null, deal: null, lead: null },
    created: '2026-03-01T08:00:00',
  };
}

describe('datetime-local ↔ YYYY-MM-DD HH:MM', () => {
  it('turns an input value into the backend form format and back', () => {
    expect(fromLocalInput('2026-03-02T09:30')).toBe('2026-03-02 09:30');
    expect(toLocalInput('2026-03-02T09:30:00')).toBe('2026-03-02T09:30');
    expect(toLocalInput('2026-03-02 09:30')).toBe('2026-03-02T09:30');
    expect(toLocalInput(null)).toBe('');
  });

  it('leaves blank blank and hands anything else to the backend as typed', () => {
    expect(fromLocalInput('  ')).toBe('');
    expect(fromLocalInput('tomorrow')).toBe('tomorrow');
    expect(fromLocalInput('2026-02-30T10:00')).toBe('2026-02-30T10:00');
  });

  it('shows backend times without seconds', () => {
    expect(displayTime('2026-03-02T09:30:15')).toBe('2026-03-02 09:30');
    expect(displayTime(null)).toBe('—');
  });

  it('starts a new activity at the next quarter hour', () => {
    expect(nextQuarterHour(new Date(2026, 2, 2, 9, 7, 30))).toBe('2026-03-02T09:15');
    expect(nextQuarterHour(new Date(2026, 2, 2, 9, 45))).toBe('2026-03-02T09:45');
    expect(nextQuarterHour(new Date(2026, 2, 2, 23, 50))).toBe('2026-03-03T00:00');
  });
});

describe('reminders', () => {
  it('comes the chosen minutes before the due time, across midnight and month ends', () => {
    expect(reminderAt('2026-03-02 09:30', '15')).toBe('2026-03-02 09:15');
    expect(reminderAt('2026-03-01 00:10', '30')).toBe('2026-02-28 23:40');
    expect(reminderAt('2026-03-02 09:30', '0')).toBe('2026-03-02 09:30');
  });

  it('is none without a choice or a due time', () => {
    expect(reminderAt('2026-03-02 09:30', '')).toBeNull();
    expect(reminderAt('', '15')).toBeNull();
  });

  it('is sent with the due time in the backend format', () => {
    const form = { ...emptyActivityForm(new Date(2026, 2, 2, 9, 0)), subject: ' Call back ', reminder: '15' };
    expect(activityInput(form)).toEqual({
      kind: 'call',
      subject: 'Call back',
      body: '',
      due: '2026-03-02 09:00',
      durationMinutes: '',
      reminder: '2026-03-02 08:45',
    });
    expect(activityInput({ ...form, due: '' }).reminder).toBe('');
  });
});

describe('activity state', () => {
  it('is done, overdue or open against the local now', () => {
    expect(activityState(activity('1', '2026-03-02T09:00:00', '2026-03-02T09:05:00'), '2026-03-03T00:00')).toBe('done');
    expect(activityState(activity('2', '2026-03-02T09:00:00'), '2026-03-02T09:01')).toBe('overdue');
    expect(activityState(activity('3', '2026-03-02T09:00:00'), '2026-03-02T08:59')).toBe('open');
    expect(activityState(activity('4', null), '2026-03-02T08:59')).toBe('open');
  });
});

describe('weeks', () => {
  it('start on Monday', () => {
    expect(mondayOf('2026-03-02')).toBe('2026-03-02'); // a Monday
    expect(mondayOf('2026-03-08')).toBe('2026-03-02'); // Sunday belongs to the week before
    expect(mondayOf('2026-03-04')).toBe('2026-03-02');
    expect(mondayOf('2026-01-01')).toBe('2025-12-29'); // across a year end
  });

  it('are read as seven days from the Monday; a day view reads one day', () => {
    expect(calendarRange('week', '2026-03-05')).toEqual({ from: '2026-03-02', days: 7 });
    expect(calendarRange('day', '2026-03-05')).toEqual({ from: '2026-03-05', days: 1 });
    expect(rangeLabel('week', '2026-03-05')).toBe('Mon 2 Mar – Sun 8 Mar');
    expect(dayLabel('2026-03-05')).toBe('Thu 5 Mar');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });
});

describe('calendar grid', () => {
  const days: CalendarDay[] = [
    { date: '2026-03-02', activities: [activity('b', '2026-03-02T10:45:00'), activity('a', '2026-03-02T10:05:00')] },
    { date: '2026-03-03', activities: [activity('c', null, '2026-03-03T07:15:00'), activity('d', '2026-03-03T20:00:00')] },
  ];

  it('places activities by day and hour, by time within the hour', () => {
    const grid = calendarGrid(days);
    expect(grid.days).toEqual(['2026-03-02', '2026-03-03']);
    const row10 = grid.hours.indexOf(10);
    expect(grid.cells[row10]?.[0]?.map((a) => a.id)).toEqual(['a', 'b']);
    expect(grid.cells[row10]?.[1]).toEqual([]);
  });

  it('widens the working day to early and late activities (a done one by when it was done)', () => {
    const grid = calendarGrid(days);
    expect(grid.hours[0]).toBe(7);
    expect(grid.hours.at(-1)).toBe(20);
    expect(grid.cells[0]?.[1]?.map((a) => a.id)).toEqual(['c']);
    expect(timeOf(activity('c', null, '2026-03-03T07:15:00'))).toBe('07:15');
  });

  it('shows the working day when empty', () => {
    const grid = calendarGrid([{ date: '2026-03-02', activities: [] }]);
    expect(grid.hours).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  });
});

describe('e-mail source', () => {
  it('needs a header before the body', () => {
    expect(looksLikeEmail('From: a@b.example\nSubject: Hi\n\nHello')).toBe(true);
    expect(looksLikeEmail('just some text')).toBe(false);
  });
});
