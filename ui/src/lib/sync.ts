import type { SyncStatus } from '../backend';

export type SyncState = 'local' | 'online' | 'offline' | 'syncing' | 'error';

/** The one word the sync indicator shows (and exposes as `data-state`). */
export function syncState(status: SyncStatus): SyncState {
  if (status.mode === 'local') {
    return 'local';
  }
  if (status.syncing) {
    return 'syncing';
  }
  if (!status.online) {
    return 'offline';
  }
  if (status.lastError !== null) {
    return 'error';
  }
  return 'online';
}

export const SYNC_STATE_LABEL: Record<SyncState, string> = {
  local: 'Local workspace',
  online: 'Online',
  offline: 'Offline',
  syncing: 'Syncing…',
  error: 'Sync error',
};

export function isSignedIn(status: SyncStatus): boolean {
  return status.mode === 'server' && status.user !== null;
}

/** 0..1 for a determinate bar, null when the total is not known yet. */
export function progressFraction(progress: SyncStatus['progress']): number | null {
  const total = progress?.total ?? null;
  if (progress === null || total === null || total <= 0) {
    return null;
  }
  return Math.min(1, Math.max(0, progress.done / total));
}
