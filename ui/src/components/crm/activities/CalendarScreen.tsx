import { useCallback, useEffect, useRef, useState } from 'react';
import type { Activity } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useLoaded } from '../../../hooks/useLoaded';
import {
  addDays,
  calendarGrid,
  calendarRange,
  dayLabel,
  isoDay,
  kindLabel,
  rangeLabel,
  timeOf,
  type CalendarView,
} from '../../../lib/activities';
import { useAccountNames } from '../useDealsData';

interface CalendarScreenProps {
  version: number;
  /** Opens the account an activity is about. */
  onOpenAccount: (id: string) => void;
}

const VIEWS: { view: CalendarView; label: string }[] = [
  { view: 'day', label: 'Day' },
  { view: 'week', label: 'Week' },
];

function Entry({ activity, accountName, onOpenAccount }: { activity: Activity; accountName: string | null; onOpenAccount: (id: string) => void }) {
  const account = activity.links.account;
  const done = activity.done_at !== null;
  return (
    <button
      type="button"
      data-testid="calendar-item"
      data-id={activity.id}
      className={`calendar-item kind-border--${activity.kind}${done ? ' calendar-item--done' : ''}`}
      disabled={account === null}
      title={account === null ? 'Not linked to an account' : `Open ${accountName ?? 'the account'}`}
      onClick={() => {
        if (account !== null) {
          onOpenAccount(account);
        }
      }}
    >
      <span className="calendar-item-time">{timeOf(activity)}</span>
      <span className="calendar-item-subject">
        {kindLabel(activity.kind)}: {activity.subject}
      </span>
      {accountName !== null && <span className="calendar-item-account muted">{accountName}</span>}
    </button>
  );
}

/** The user's calendar: activities of a day or a week (from Monday), placed by hour. */
export function CalendarScreen({ version, onOpenAccount }: CalendarScreenProps) {
  const backend = useBackend();
  const [view, setView] = useState<CalendarView>('week');
  const [day, setDay] = useState(() => isoDay(new Date()));
  const { from, days } = calendarRange(view, day);
  const load = useCallback(() => backend.crmCalendar(from, days), [backend, from, days]);
  const { data, error } = useLoaded(load, version);
  const names = useAccountNames(version);
  const grid = data === null ? null : calendarGrid(data);
  const today = isoDay(new Date());
  const step = view === 'day' ? 1 : 7;
  // Once per range shown: bring the first activity into view (an evening call sits below the fold).
  const gridRef = useRef<HTMLDivElement>(null);
  const scrolledFor = useRef<string | null>(null);
  const range = `${from}/${String(days)}`;
  useEffect(() => {
    if (data === null || scrolledFor.current === range) {
      return;
    }
    scrolledFor.current = range;
    gridRef.current?.querySelector('.calendar-item')?.scrollIntoView({ block: 'center' });
  }, [data, range]);

  return (
    <section className="screen calendar-screen" aria-labelledby="calendar-title">
      <header className="screen-header">
        <div className="calendar-title">
          <h1 id="calendar-title">Calendar</h1>
          <span id="calendar-range" className="muted">
            {rangeLabel(view, day)}
          </span>
        </div>
        <div className="tabs" role="tablist" aria-label="View">
          {VIEWS.map((v) => (
            <button
              key={v.view}
              id={`calendar-view-${v.view}`}
              type="button"
              role="tab"
              aria-selected={v.view === view}
              className={v.view === view ? 'tab tab--active' : 'tab'}
              onClick={() => {
                setView(v.view);
              }}
            >
              {v.label}
            </button>
          ))}
        </div>
        <div className="detail-actions">
          <button
            id="calendar-prev"
            type="button"
            className="button button--small"
            aria-label={view === 'day' ? 'Previous day' : 'Previous week'}
            onClick={() => {
              setDay((d) => addDays(d, -step));
            }}
          >
            ‹
          </button>
          <button
            id="calendar-today"
            type="button"
            className="button button--small"
            onClick={() => {
              setDay(isoDay(new Date()));
            }}
          >
            Today
          </button>
          <button
            id="calendar-next"
            type="button"
            className="button button--small"
            aria-label={view === 'day' ? 'Next day' : 'Next week'}
            onClick={() => {
              setDay((d) => addDays(d, step));
            }}
          >
            ›
          </button>
        </div>
      </header>
      {error !== null && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {grid !== null && (
        <div
          ref={gridRef}
          id="calendar-grid"
          className="calendar-grid"
          style={{ gridTemplateColumns: `56px repeat(${grid.days.length}, minmax(0, 1fr))` }}
          role="grid"
          aria-label={rangeLabel(view, day)}
        >
          <div className="calendar-corner" />
          {grid.days.map((d) => (
            <div key={d} role="columnheader" className={d === today ? 'calendar-day calendar-day--today' : 'calendar-day'} data-date={d}>
              {dayLabel(d)}
            </div>
          ))}
          {grid.hours.map((h, hi) => (
            <div key={h} className="calendar-row" role="row">
              <div className="calendar-hour muted" role="rowheader">
                {String(h).padStart(2, '0')}:00
              </div>
              {grid.days.map((d, di) => (
                <div key={d} className={d === today ? 'calendar-cell calendar-cell--today' : 'calendar-cell'} role="gridcell" data-date={d} data-hour={h}>
                  {(grid.cells[hi]?.[di] ?? []).map((a) => (
                    <Entry
                      key={a.id}
                      activity={a}
                      accountName={a.links.account === null ? null : (names.get(a.links.account) ?? null)}
                      onOpenAccount={onOpenAccount}
                    />
                  ))}
                </div>
              ))}
            </div>
          ))}
        </div>
      )}
      {data !== null && data.every((d) => d.activities.length === 0) && (
        <p className="muted calendar-empty">Nothing planned {view === 'day' ? 'this day' : 'this week'}.</p>
      )}
    </section>
  );
}
