import type { SyncStatus } from '../backend';
import { useNow } from '../hooks/useNow';
import { progressFraction, SYNC_STATE_LABEL, syncState } from '../lib/sync';
import { absoluteTime, relativeTime } from '../lib/time';

interface SyncIndicatorProps {
  status: SyncStatus;
  /** A `sync_now` call is running. */
  busy: boolean;
  onSyncNow: () => void;
  onShowRejected: () => void;
}

function SyncProgress({ progress }: { progress: NonNullable<SyncStatus['progress']> }) {
  const fraction = progressFraction(progress);
  const label = progress.total === null ? `${progress.done} synced` : `${progress.done} of ${progress.total}`;
  return (
    <span className="sync-progress" title={label}>
      {fraction === null ? <progress aria-label="Sync progress" /> : <progress aria-label="Sync progress" value={fraction} max={1} />}
    </span>
  );
}

export function SyncIndicator({ status, busy, onSyncNow, onShowRejected }: SyncIndicatorProps) {
  const now = useNow();
  const state = syncState(status);
  const lastSync = status.lastSyncAt === null ? 'never' : relativeTime(status.lastSyncAt, now);
  const title = [
    SYNC_STATE_LABEL[state],
    status.serverUrl,
    status.lastSyncAt === null ? 'Never synced' : `Last sync ${absoluteTime(status.lastSyncAt)}`,
    status.lastError,
  ]
    .filter((part) => part !== null)
    .join('\n');

  return (
    <div className="sync">
      <div id="sync-status" className={`sync-status sync-status--${state}`} data-state={state} title={title}>
        <span className="sync-dot" aria-hidden="true" />
        <span className="sync-label">{SYNC_STATE_LABEL[state]}</span>
        <span className="sync-meta">
          <span id="sync-pending" className="sync-count" aria-label="Pending changes">
            {status.pending}
          </span>{' '}
          pending
        </span>
        {status.mode === 'server' && <span className="sync-meta">· synced {lastSync}</span>}
        {status.progress !== null && <SyncProgress progress={status.progress} />}
      </div>
      <span id="sync-last-error" className="sync-error" title={status.lastError ?? undefined} role={status.lastError === null ? undefined : 'alert'}>
        {status.lastError ?? ''}
      </span>
      {status.rejected.length > 0 && (
        <button id="needs-attention" type="button" className="button button--warn button--small" onClick={onShowRejected}>
          Needs attention ({status.rejected.length})
        </button>
      )}
      <button
        id="sync-now"
        type="button"
        className="button button--small"
        onClick={onSyncNow}
        disabled={busy || status.mode === 'local'}
        title={status.mode === 'local' ? 'Sign in to sync' : 'Sync now'}
      >
        {busy || status.syncing ? 'Syncing…' : 'Sync now'}
      </button>
    </div>
  );
}
