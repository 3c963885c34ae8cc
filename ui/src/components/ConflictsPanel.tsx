import { useState } from 'react';
import type { Conflict, ConflictKeep, SyncStatus } from '../backend';
import { useBackend } from '../BackendContext';
import { useNow } from '../hooks/useNow';
import { fieldLabel, showValue, unresolvedConflicts } from '../lib/conflicts';
import { toAppError } from '../lib/errors';
import { absoluteTime, relativeTime } from '../lib/time';
import { Modal } from './Modal';

interface ConflictsPanelProps {
  conflicts: Conflict[];
  onResolved: (status: SyncStatus) => void;
  onClose: () => void;
}

/** Field conflicts: the later edit won; the user keeps it or restores the value it overwrote. */
export function ConflictsPanel({ conflicts, onResolved, onClose }: ConflictsPanelProps) {
  const backend = useBackend();
  const now = useNow();
  const [busyId, setBusyId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = unresolvedConflicts(conflicts);

  const resolve = (id: string, keep: ConflictKeep) => {
    setBusyId(id);
    setError(null);
    backend
      .resolveConflict(id, keep)
      .then(onResolved, (err: unknown) => {
        setError(toAppError(err).message);
      })
      .finally(() => {
        setBusyId(null);
      });
  };

  return (
    <Modal title={`Conflicts (${open.length})`} titleId="conflicts-title" onClose={onClose} wide>
      <p className="muted">
        Two people changed the same field. The later change was kept; you can keep it or restore the value it overwrote.
      </p>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {open.length === 0 ? (
        <p className="empty">No conflicts.</p>
      ) : (
        <ul className="conflict-list">
          {open.map((c) => (
            <li key={c.id} data-testid="conflict-row" data-id={c.id} className="conflict-row">
              <div className="conflict-head">
                <span className="conflict-record">
                  <span className="muted">{c.entity === 'account' ? 'Account' : 'Contact'}</span> {c.recordName}
                </span>
                <span className="conflict-field">{fieldLabel(c.field)}</span>
                <time className="muted" dateTime={c.at} title={absoluteTime(c.at)}>
                  {relativeTime(c.at, now)}
                </time>
              </div>
              <div className="conflict-values">
                <div data-testid="conflict-kept">
                  <span className="muted">kept:</span> <strong>{showValue(c.kept)}</strong>{' '}
                  <span className="muted">(by {c.keptBy})</span>
                </div>
                <div data-testid="conflict-overwritten">
                  <span className="muted">overwritten:</span> <s>{showValue(c.overwritten)}</s>{' '}
                  <span className="muted">(by {c.overwrittenBy ?? '—'})</span>
                </div>
              </div>
              <div className="conflict-actions">
                <button
                  type="button"
                  data-testid="keep-current"
                  className="button button--small"
                  disabled={busyId !== null}
                  onClick={() => {
                    resolve(c.id, 'current');
                  }}
                >
                  Keep current
                </button>
                <button
                  type="button"
                  data-testid="restore-overwritten"
                  className="button button--small"
                  disabled={busyId !== null}
                  onClick={() => {
                    resolve(c.id, 'overwritten');
                  }}
                >
                  Restore overwritten
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
