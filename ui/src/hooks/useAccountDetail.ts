import { useEffect, useState } from 'react';
import type { AccountDetail, AppError } from '../backend';
import { useBackend } from '../BackendContext';
import { toAppError } from '../lib/errors';

export interface DetailState {
  /** The account being shown; kept while a newer version loads so the panel does not flash. */
  detail: AccountDetail | null;
  error: AppError | null;
}

/** Loads one account with its contacts; loads again whenever `version` changes. */
export function useAccountDetail(id: string, version: number): DetailState {
  const backend = useBackend();
  const [state, setState] = useState<DetailState & { id: string | null }>({ id: null, detail: null, error: null });

  useEffect(() => {
    let active = true;
    backend.getAccount(id).then(
      (detail) => {
        if (active) {
          setState({ id, detail, error: null });
        }
      },
      (e: unknown) => {
        if (active) {
          setState({ id, detail: null, error: toAppError(e) });
        }
      },
    );
    return () => {
      active = false;
    };
  }, [backend, id, version]);

  // Never show another account's data while switching.
  return state.id === id ? state : { detail: null, error: null };
}
