import type { Rejected } from '../backend';
import { absoluteTime, relativeTime } from '../lib/time';
import { useNow } from '../hooks/useNow';
import { Modal } from './Modal';

interface RejectedPanelProps {
  rejected: Rejected[];
  onClose: () => void;
}

/** The changes the server refused, with its reasons. */
export function RejectedPanel({ rejected, onClose }: RejectedPanelProps) {
  const now = useNow();
  return (
    <Modal title={`Needs attention (${rejected.length})`} titleId="rejected-title" onClose={onClose} wide>
      <p className="muted">The server refused these changes. They were not applied; the reason says why.</p>
      {rejected.length === 0 ? (
        <p className="empty">Nothing needs attention.</p>
      ) : (
        <ul className="rejected-list">
          {rejected.map((r) => (
            <li key={r.seq} data-testid="rejected-row" className="rejected-row">
              <div className="rejected-mutation">{r.mutation}</div>
              <div className="rejected-reason">
                <span className="code">{r.code}</span> {r.reason}
              </div>
              <time className="muted" dateTime={r.at} title={absoluteTime(r.at)}>
                {relativeTime(r.at, now)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
