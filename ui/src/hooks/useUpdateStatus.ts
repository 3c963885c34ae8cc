import { useCallback, useEffect, useState } from 'react';
import type { UpdateStatus } from '../backend';
import { useBackend } from '../BackendContext';
import { useSubscription } from './useSubscription';

/** The updater's state: read once, then kept current by `tandem://update-status` events. */
export function useUpdateStatus(): [UpdateStatus | null, (s: UpdateStatus) => void] {
  const backend = useBackend();
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  useEffect(() => {
    let live = true;
    backend.updateStatus().then(
      (s) => {
        if (live) {
          setStatus(s);
        }
      },
      () => {
        // No updater state (the app could not start): nothing to show.
      },
    );
    return () => {
      live = false;
    };
  }, [backend]);
  const set = useCallback((s: UpdateStatus) => {
    setStatus(s);
  }, []);
  useSubscription(backend.onUpdateStatus, set);
  return [status, set];
}
