import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { AccountRow, Backend, ListQuery, SortDir, SortKey } from '../backend';
import { useBackend } from '../BackendContext';
import { toAppError } from '../lib/errors';
import { initialPaging, pagingReducer, type PagingState } from '../lib/paging';

export const PAGE_SIZE = 100;
/** A background reload re-reads at most this many pages; deeper lists start again at the top. */
const MAX_RELOAD_PAGES = 20;

export interface AccountQuery {
  search: string;
  sort: SortKey;
  dir: SortDir;
  /** Only accounts with this tag (blank: any). */
  tag?: string;
  /** Only accounts this user owns (blank: anyone's). */
  owner?: string;
}

export interface AccountPages {
  state: PagingState<AccountRow>;
  loadMore: () => void;
  /** Re-reads what is loaded (data changed underneath) without blanking the list. */
  reload: () => void;
}

/** A blank filter is no filter (null). */
function filterValue(text: string | undefined): string | null {
  const t = text?.trim() ?? '';
  return t === '' ? null : t;
}

async function readPages(backend: Backend, query: Omit<ListQuery, 'after' | 'limit'>, rows: number) {
  const items: AccountRow[] = [];
  let after: string | null = null;
  let total = 0;
  for (let pages = 0; pages < MAX_RELOAD_PAGES; pages += 1) {
    const page = await backend.listAccounts({ ...query, after, limit: PAGE_SIZE });
    items.push(...page.items);
    after = page.next;
    total = page.total;
    if (after === null || items.length >= rows) {
      break;
    }
  }
  return { items, next: after, total };
}

/** Keyset-paged accounts for a query: the first page on every query change, more on demand. */
export function useAccountPages(query: AccountQuery): AccountPages {
  const backend = useBackend();
  const [state, dispatch] = useReducer(pagingReducer<AccountRow>, undefined, initialPaging<AccountRow>);
  const token = useRef(0);
  const current = useRef(state);
  useEffect(() => {
    current.current = state;
  });

  const { search, sort, dir } = query;
  const tag = filterValue(query.tag);
  const owner = filterValue(query.owner);

  useEffect(() => {
    const mine = ++token.current;
    dispatch({ type: 'restart', token: mine });
    backend.listAccounts({ search, sort, dir, tag, owner, after: null, limit: PAGE_SIZE }).then(
      (page) => {
        dispatch({ type: 'appended', token: mine, page });
      },
      (e: unknown) => {
        dispatch({ type: 'failed', token: mine, message: toAppError(e).message });
      },
    );
  }, [backend, search, sort, dir, tag, owner]);

  const loadMore = useCallback(() => {
    const { loading, next } = current.current;
    if (loading || next === null) {
      return;
    }
    const mine = token.current;
    dispatch({ type: 'loading', token: mine });
    backend.listAccounts({ search, sort, dir, tag, owner, after: next, limit: PAGE_SIZE }).then(
      (page) => {
        dispatch({ type: 'appended', token: mine, page });
      },
      (e: unknown) => {
        dispatch({ type: 'failed', token: mine, message: toAppError(e).message });
      },
    );
  }, [backend, search, sort, dir, tag, owner]);

  const reload = useCallback(() => {
    const mine = ++token.current;
    dispatch({ type: 'loading', token: mine });
    const loaded = Math.max(current.current.items.length, PAGE_SIZE);
    readPages(backend, { search, sort, dir, tag, owner }, loaded).then(
      (result) => {
        dispatch({ type: 'replaced', token: mine, ...result });
      },
      (e: unknown) => {
        dispatch({ type: 'failed', token: mine, message: toAppError(e).message });
      },
    );
  }, [backend, search, sort, dir, tag, owner]);

  return { state, loadMore, reload };
}
