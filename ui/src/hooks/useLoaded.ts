import { useEffect, useState } from 'react';
import type { AppError } from '../backend';
import { toAppError } from '../lib/errors';

export interface Loaded<T> {
  /** The last value read; kept while a newer read runs so the screen does not flash. */
  data: T | null;
  error: AppError | null;
}

/**
 * Reads `load()` and reads again whenever `load` (keep it stable with useCallback) or `version`
 * changes. An answer for an older `load` is dropped.
 */
export function useLoaded<T>(load: () => Promise<T>, version: number): Loaded<T> {
  const [state, setState] = useState<Loaded<T> & { load: (() => Promise<T>) | null }>({ load: null, data: null, error: null });

  useEffect(() => {
    let active = true;
    load().then(
      (data) => {
        if (active) {
          setState({ load, data, error: null });
        }
      },
      (e: unknown) => {
        if (active) {
          setState({ load, data: null, error: toAppError(e) });
        }
      },
    );
    return () => {
      active = false;
    };
  }, [load, version]);

  // Never show what another query read.
  return state.load === load ? state : { data: null, error: null };
}
