import { useCallback, useEffect, useRef, useState, type SubmitEvent } from 'react';
import type { Activity, Deal } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useDocPages } from '../../../hooks/useDocPages';
import { useNow } from '../../../hooks/useNow';
import {
  activityState,
  canComplete,
  canReschedule,
  displayTime,
  fromLocalInput,
  kindLabel,
  localInputOf,
  toLocalInput,
  whenOf,
} from '../../../lib/activities';
import { toAppError } from '../../../lib/errors';
import { ActivityForm } from './ActivityForm';
import { EmailLogForm } from './EmailLogForm';

interface ActivityTimelineProps {
  account: string;
  /** The account's deals (to filter by, and to link new activities to). */
  deals: Deal[];
  /** Only this deal's activities ('' = all of the account's). */
  deal: string;
  onDealChange: (deal: string) => void;
  version: number;
  onChanged: () => void;
}

const STATE_LABEL = { done: 'Done', overdue: 'Overdue', open: 'Open' } as const;
/** An e-mail body longer than this many lines is folded. */
const FOLD_LINES = 8;

function RescheduleForm({ activity, onDone, onCancel }: { activity: Activity; onDone: () => void; onCancel: () => void }) {
  const backend = useBackend();
  const [due, setDue] = useState(() => toLocalInput(activity.due));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    // No new reminder: an existing one moves along, keeping its lead time.
    backend.crmRescheduleActivity(activity.id, fromLocalInput(due), null).then(onDone, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err).message);
    });
  };
  return (
    <form className="reschedule-form" onSubmit={submit} noValidate aria-label={`Reschedule ${activity.subject}`}>
      <input
        type="datetime-local"
        aria-label="New due time"
        data-testid="reschedule-due"
        value={due}
        onChange={(e) => {
          setDue(e.target.value);
        }}
      />
      <button type="submit" className="button button--small button--primary" data-testid="reschedule-save" disabled={saving}>
        Move
      </button>
      <button type="button" className="button button--small" onClick={onCancel} disabled={saving}>
        Cancel
      </button>
      {error !== null && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function Body({ text }: { text: string }) {
  const lines = text.split('\n');
  if (lines.length <= FOLD_LINES) {
    return <p className="timeline-body">{text}</p>;
  }
  return (
    <details className="timeline-fold">
      <summary>
        <span className="timeline-body">{lines.slice(0, 3).join('\n')}</span>
        <span className="link-button">Show all {lines.length} lines</span>
      </summary>
      <p className="timeline-body">{text}</p>
    </details>
  );
}

function TimelineItem({
  activity,
  dealName,
  now,
  onChanged,
}: {
  activity: Activity;
  dealName: string | null;
  now: string;
  onChanged: () => void;
}) {
  const backend = useBackend();
  const [moving, setMoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const state = activityState(activity, now);
  const complete = () => {
    setError(null);
    backend.crmCompleteActivity(activity.id).then(onChanged, (err: unknown) => {
      setError(toAppError(err).message);
    });
  };
  return (
    <li className={`timeline-item timeline-item--${state}`} data-testid="timeline-item" data-id={activity.id} data-kind={activity.kind}>
      <span className={`kind-badge kind-badge--${activity.kind}`}>{kindLabel(activity.kind)}</span>
      <div className="timeline-main">
        <div className="timeline-title">
          <strong>{activity.subject}</strong>
          {activity.kind !== 'email' && <span className={`status-badge activity-state--${state}`}>{STATE_LABEL[state]}</span>}
        </div>
        <p className="muted timeline-meta">
          {activity.kind === 'email' ? 'Sent ' : activity.due === null ? 'Noted ' : 'Due '}
          {displayTime(whenOf(activity) ?? activity.created)}
          {activity.duration_minutes !== null && ` · ${activity.duration_minutes} min`}
          {activity.reminder !== null && ` · reminder ${displayTime(activity.reminder)}`}
          {` · ${activity.assignee}`}
          {dealName !== null && ` · deal ${dealName}`}
          {activity.done_at !== null && activity.kind !== 'email' && ` · done ${displayTime(activity.done_at)}`}
        </p>
        {activity.body !== null && <Body text={activity.body} />}
        {moving && (
          <RescheduleForm
            activity={activity}
            onDone={() => {
              setMoving(false);
              onChanged();
            }}
            onCancel={() => {
              setMoving(false);
            }}
          />
        )}
        {error !== null && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="timeline-actions">
        {canComplete(activity) && (
          <button type="button" className="button button--small" data-testid="activity-done" onClick={complete}>
            Done
          </button>
        )}
        {canReschedule(activity) && !moving && (
          <button
            type="button"
            className="button button--small"
            data-testid="activity-reschedule"
            onClick={() => {
              setMoving(true);
            }}
          >
            Reschedule
          </button>
        )}
      </div>
    </li>
  );
}

/** The account's activities, newest first (key-paged from the device), with the forms to log more. */
export function ActivityTimeline({ account, deals, deal, onDealChange, version, onChanged }: ActivityTimelineProps) {
  const backend = useBackend();
  const now = localInputOf(new Date(useNow()));
  const [form, setForm] = useState<'none' | 'activity' | 'email'>('none');
  const fetchPage = useCallback(
    (after: string | null, limit: number) => backend.crmTimeline(deal === '' ? { account } : { account, deal }, after, limit),
    [backend, account, deal],
  );
  const { state, loadMore, reload } = useDocPages(fetchPage);
  const firstVersion = useRef(version);
  useEffect(() => {
    if (version !== firstVersion.current) {
      reload();
    }
  }, [version, reload]);
  const dealNames = new Map(deals.map((d) => [d.id, d.name]));
  const saved = () => {
    setForm('none');
    onChanged();
  };

  return (
    <section id="activity-timeline" className="timeline" aria-labelledby="timeline-title">
      <div className="section-header">
        <h3 id="timeline-title">Activities</h3>
        <div className="detail-actions">
          {deals.length > 0 && (
            <select
              id="timeline-deal"
              aria-label="Only the activities of a deal"
              value={deal}
              onChange={(e) => {
                onDealChange(e.target.value);
              }}
            >
              <option value="">All deals</option>
              {deals.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          )}
          <button
            id="log-activity"
            type="button"
            className="button button--small button--primary"
            onClick={() => {
              setForm('activity');
            }}
          >
            Log call / meeting / task
          </button>
          <button
            id="log-email"
            type="button"
            className="button button--small"
            onClick={() => {
              setForm('email');
            }}
          >
            Log e-mail
          </button>
        </div>
      </div>
      {state.error !== null && (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      )}
      {!state.loading && state.error === null && state.items.length === 0 && (
        <p className="muted" id="timeline-empty">
          Nothing logged yet{deal === '' ? '' : ' for this deal'}.
        </p>
      )}
      <ol className="timeline-list">
        {state.items.map((a) => (
          <TimelineItem
            key={a.id}
            activity={a}
            dealName={a.links.deal === null ? null : (dealNames.get(a.links.deal) ?? null)}
            now={now}
            onChanged={onChanged}
          />
        ))}
      </ol>
      {state.next !== null && (
        <button type="button" className="button button--small" id="timeline-more" onClick={loadMore} disabled={state.loading}>
          {state.loading ? 'Loading…' : 'Older activities'}
        </button>
      )}
      {form === 'activity' && (
        <ActivityForm
          account={account}
          deals={deals}
          deal={deal}
          onSaved={saved}
          onCancel={() => {
            setForm('none');
          }}
        />
      )}
      {form === 'email' && (
        <EmailLogForm
          account={account}
          deals={deals}
          deal={deal}
          onSaved={saved}
          onCancel={() => {
            setForm('none');
          }}
        />
      )}
    </section>
  );
}
