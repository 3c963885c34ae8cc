import type { DocPage, Page } from '../backend';

/** A page as either list returns it: accounts carry a `total`, documents do not. */
export type KeyPage<T> = Page<T> | DocPage<T>;

function totalOf<T>(page: KeyPage<T>): number | null {
  return 'total' in page ? page.total : null;
}

/**
 * Keyset paging state for an infinitely scrolling list. Each request carries the `token` of the
 * query it was made for; an answer for an older token (the search changed meanwhile) is dropped.
 */
export interface PagingState<T> {
  token: number;
  items: T[];
  /** `after` for the next page; null when everything is loaded. */
  next: string | null;
  /** Rows matching the query; null before the first page arrives. */
  total: number | null;
  loading: boolean;
  error: string | null;
}

export type PagingAction<T> =
  /** A new query: forget the rows. */
  | { type: 'restart'; token: number }
  /** Loading more rows, or reloading the same query in the background (rows stay visible). */
  | { type: 'loading'; token: number }
  | { type: 'appended'; token: number; page: KeyPage<T> }
  /** A background reload finished: its rows replace the old ones at once. */
  | { type: 'replaced'; token: number; items: T[]; next: string | null; total?: number | null }
  | { type: 'failed'; token: number; message: string };

export function initialPaging<T>(): PagingState<T> {
  return { token: 0, items: [], next: null, total: null, loading: false, error: null };
}

export function pagingReducer<T>(state: PagingState<T>, action: PagingAction<T>): PagingState<T> {
  switch (action.type) {
    case 'restart':
      return { token: action.token, items: [], next: null, total: null, loading: true, error: null };
    case 'loading':
      return { ...state, token: action.token, loading: true, error: null };
    default:
      break;
  }
  if (action.token !== state.token) {
    return state;
  }
  switch (action.type) {
    case 'appended':
      return {
        ...state,
        items: state.items.concat(action.page.items),
        next: action.page.next,
        total: totalOf(action.page),
        loading: false,
      };
    case 'replaced':
      return { ...state, items: action.items, next: action.next, total: action.total ?? null, loading: false };
    case 'failed':
      return { ...state, loading: false, error: action.message };
  }
}

/** True when the rows near the end of the viewport are shown and more can be fetched. */
export function shouldLoadMore<T>(state: PagingState<T>, lastVisibleIndex: number, threshold: number): boolean {
  return !state.loading && state.error === null && state.next !== null && lastVisibleIndex >= state.items.length - threshold;
}

/**
 * Every row of a key-paged list, page after page (`next` passed back as `after`); stops early
 * once `max` rows are read.
 */
export async function readAllPages<T>(
  fetchPage: (after: string | null) => Promise<KeyPage<T>>,
  max: number = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const rows: T[] = [];
  let after: string | null = null;
  do {
    const page: KeyPage<T> = await fetchPage(after);
    rows.push(...page.items);
    after = page.next;
  } while (after !== null && rows.length < max);
  return rows;
}
