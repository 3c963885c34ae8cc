import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { DocPage } from '../backend';
import { toAppError } from '../lib/errors';
import { initialPaging, pagingReducer, type PagingState } from '../lib/paging';

export const DOC_PAGE_SIZE = 100;
/** A background reload re-reads at most this many pages; deeper lists start again at the top. */
const MAX_RELOAD_PAGES = 20;

/** Reads one page after the key `after` (null = first page). Keep it stable (useCallback). */
export type FetchPage<T> = (after: string | null, limit: number) => Promise<DocPage<T>>;

export interface DocPages<T> {
  state: PagingState<T>;
  loadMore: () => void;
  /** Re-reads what is loaded (data changed underneath) without blanking the list. */
  reload: () => void;
}

async function readPages<T>(fetchPage: FetchPage<T>, rows: number) {
  const items: T[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < MAX_RELOAD_PAGES; pages += 1) {
    const page: DocPage<T> = await fetchPage(after, DOC_PAGE_SIZE);
    items.push(...page.items);
    after = page.next;
    if (after === null || items.length >= rows) {
      break;
    }
  }
  return { items, next: after };
}

/**
 * Keyset-paged documents (orders, invoices, payments, deliveries), the same way the accounts
 * list pages: the first page whenever `fetchPage` changes, more on demand, `next` passed back as `after`.
 */
export function useDocPages<T>(fetchPage: FetchPage<T>): DocPages<T> {
  const [state, dispatch] = useReducer(pagingReducer<T>, undefined, initialPaging<T>);
  const token = useRef(0);
  const current = useRef(state);
  useEffect(() => {
    current.current = state;
  });

  useEffect(() => {
    const mine = ++token.current;
    dispatch({ type: 'restart', token: mine });
    fetchPage(null, DOC_PAGE_SIZE).then(
      (page) => {
        dispatch({ type: 'appended', token: mine, page });
      },
      (e: unknown) => {
        dispatch({ type: 'failed', token: mine, message: toAppError(e).message });
      },
    );
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    const { loading, next } = current.current;
    if (loading || next === null) {
      return;
    }
    const mine = token.current;
    dispatch({ type: 'loading', token: mine });
    fetchPage(next, DOC_PAGE_SIZE).then(
      (page) => {
        dispatch({ type: 'appended', token: mine, page });
      },
      (e: unknown) => {
        dispatch({ type: 'failed', token: mine, message: toAppError(e).message });
      },
    );
  }, [fetchPage]);

  const reload = useCallback(() => {
    const mine = ++token.current;
    dispatch({ type: 'loading', token: mine });
    const loaded = Math.max(current.current.items.length, DOC_PAGE_SIZE);
    readPages(fetchPage, loaded).then(
      (result) => {
        dispatch({ type: 'replaced', token: mine, ...result });
      },
      (e: unknown) => {
        dispatch({ type: 'failed', token: mine, message: toAppError(e).message });
      },
    );
  }, [fetchPage]);

  return { state, loadMore, reload };
}
