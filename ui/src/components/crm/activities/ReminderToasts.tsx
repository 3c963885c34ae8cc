import { useCallback, useEffect, useState } from 'react';
import type { Reminder } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useSubscription } from '../../../hooks/useSubscription';
import { kindLabel } from '../../../lib/activities';

/** A reminder stays this long unless closed (the desktop notification may go unseen). */
const SHOWN_MS = 5 * 60_000;
/** At most this many reminders on screen; older ones make room. */
const MAX_SHOWN = 3;

interface ReminderToastsProps {
  onOpenAccount: (id: string) => void;
}

/** Reminders in the window, beside the desktop notification the app shows for each. */
export function ReminderToasts({ onOpenAccount }: ReminderToastsProps) {
  const backend = useBackend();
  const [shown, setShown] = useState<Reminder[]>([]);
  const add = useCallback((r: Reminder) => {
    setShown((list) => [r, ...list.filter((x) => x.id !== r.id)].slice(0, MAX_SHOWN));
  }, []);
  useSubscription(backend.onReminder, add);
  const close = (id: string) => {
    setShown((list) => list.filter((x) => x.id !== id));
  };
  const newest = shown[0]?.id;
  useEffect(() => {
    if (newest === undefined) {
      return;
    }
    const timer = window.setTimeout(() => {
      setShown((list) => list.filter((x) => x.id !== newest));
    }, SHOWN_MS);
    return () => {
      window.clearTimeout(timer);
    };
  }, [newest]);

  if (shown.length === 0) {
    return null;
  }
  return (
    <div className="toast-stack no-print" role="status" aria-live="polite">
      {shown.map((r, i) => (
        <div key={r.id} id={i === 0 ? 'reminder-toast' : undefined} className="toast" data-testid="reminder-toast" data-id={r.id}>
          <div className="toast-text">
            <strong>
              {kindLabel(r.kind)}: {r.subject}
            </strong>
            <span className="muted">
              {r.due === null ? 'Reminder' : `Due ${r.due}`}
              {r.accountName !== null && ` · ${r.accountName}`}
            </span>
          </div>
          {r.account !== null && (
            <button
              type="button"
              className="button button--small"
              onClick={() => {
                if (r.account !== null) {
                  onOpenAccount(r.account);
                }
                close(r.id);
              }}
            >
              Open
            </button>
          )}
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss reminder"
            onClick={() => {
              close(r.id);
            }}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
