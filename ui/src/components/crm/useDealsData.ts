import { useCallback, useMemo } from 'react';
import type { Backend, Deal } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded, type Loaded } from '../../hooks/useLoaded';
import { readAllPages } from '../../lib/paging';

const PAGE = 500;
/** The board reads at most this many deals; the list view pages through any number. */
export const BOARD_MAX_DEALS = 5_000;

function readAllDeals(backend: Backend): Promise<Deal[]> {
  return readAllPages((after) => backend.crmDeals({ account: null, after, limit: PAGE }), BOARD_MAX_DEALS);
}

/** Every deal on the device (up to `BOARD_MAX_DEALS`), read again whenever `version` changes. */
export function useAllDeals(version: number): Loaded<Deal[]> {
  const backend = useBackend();
  const load = useCallback(() => readAllDeals(backend), [backend]);
  return useLoaded(load, version);
}

/** Account names by id, for the cards (one read of the first 1,000 accounts by name). */
export function useAccountNames(version: number): Map<string, string> {
  const backend = useBackend();
  const load = useCallback(
    () => backend.listAccounts({ search: '', sort: 'name', dir: 'asc', after: null, limit: 1000 }),
    [backend],
  );
  const { data } = useLoaded(load, version);
  return useMemo(() => new Map((data?.items ?? []).map((a) => [a.id, a.name])), [data]);
}
