import { useCallback, useEffect, useState } from 'react';
import type { AppError, SyncStatus } from '../backend';
import { useBackend } from '../BackendContext';
import { toAppError } from '../lib/errors';
import { useSubscription } from './useSubscription';

export interface SyncStatusState {
  status: SyncStatus | null;
  /** Why the status could not be read, if it could not. */
  error: AppError | null;
  /** Takes a status returned by a command (sign in, sync now) as the latest one. */
  set: (status: SyncStatus) => void;
}

/** The backend's sync status: read once, then kept current by `tandem://sync-status`. */
export function useSyncStatus(): SyncStatusState {
  const backend = useBackend();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    let active = true;
    backend.syncStatus().then(
      (s) => {
        if (active) {
          setStatus(s);
        }
      },
      (e: unknown) => {
        if (active) {
          setError(toAppError(e));
        }
      },
    );
    return () => {
      active = false;
    };
  }, [backend]);

  const set = useCallback((s: SyncStatus) => {
    setStatus(s);
    setError(null);
  }, []);
  useSubscription(backend.onSyncStatus, set);

  return { status, error, set };
}
