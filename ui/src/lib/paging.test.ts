import { describe, expect, it } from 'vitest';
import { initialPaging, pagingReducer, shouldLoadMore, type PagingState } from './paging';

interface Row {
  id: number;
}
const page = (ids: number[], next: string | null, total = 250) => ({ items: ids.map((id) => ({ id })), next, total });

describe('pagingReducer', () => {
  it('appends pages of the current query and remembers the keyset cursor', () => {
    let s: PagingState<Row> = pagingReducer(initialPaging<Row>(), { type: 'restart', token: 1 });
    s = pagingReducer(s, { type: 'appended', token: 1, page: page([1, 2], 'k2') });
    s = pagingReducer(s, { type: 'loading', token: 1 });
    s = pagingReducer(s, { type: 'appended', token: 1, page: page([3], null) });
    expect(s.items.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(s.next).toBeNull();
    expect(s.total).toBe(250);
    expect(s.loading).toBe(false);
  });

  it('drops a late answer for an older search, so rows of two queries never mix', () => {
    let s: PagingState<Row> = pagingReducer(initialPaging<Row>(), { type: 'restart', token: 1 });
    s = pagingReducer(s, { type: 'restart', token: 2 });
    s = pagingReducer(s, { type: 'appended', token: 1, page: page([9], 'k9') });
    expect(s.items).toEqual([]);
    s = pagingReducer(s, { type: 'appended', token: 2, page: page([1], null, 1) });
    expect(s.items).toEqual([{ id: 1 }]);
    expect(s.total).toBe(1);
  });

  it('keeps the rows visible during a background reload and swaps them at once', () => {
    let s: PagingState<Row> = pagingReducer(initialPaging<Row>(), { type: 'restart', token: 1 });
    s = pagingReducer(s, { type: 'appended', token: 1, page: page([1, 2], 'k2') });
    s = pagingReducer(s, { type: 'loading', token: 2 });
    expect(s.items).toHaveLength(2);
    s = pagingReducer(s, { type: 'replaced', token: 2, items: [{ id: 2 }], next: null, total: 1 });
    expect(s.items).toEqual([{ id: 2 }]);
    expect(s.total).toBe(1);
  });

  it('records a failure of the current query only', () => {
    let s: PagingState<Row> = pagingReducer(initialPaging<Row>(), { type: 'restart', token: 3 });
    s = pagingReducer(s, { type: 'failed', token: 2, message: 'old' });
    expect(s.error).toBeNull();
    s = pagingReducer(s, { type: 'failed', token: 3, message: 'disk full' });
    expect(s.error).toBe('disk full');
    expect(s.loading).toBe(false);
  });
});

describe('shouldLoadMore', () => {
  const loaded: PagingState<Row> = { ...initialPaging<Row>(), token: 1, items: Array.from({ length: 100 }, (_, id) => ({ id })), next: 'k', total: 1000 };

  it('asks for the next page only near the end of what is loaded', () => {
    expect(shouldLoadMore(loaded, 50, 20)).toBe(false);
    expect(shouldLoadMore(loaded, 80, 20)).toBe(true);
  });

  it('never asks twice at once, after an error, or past the last page', () => {
    expect(shouldLoadMore({ ...loaded, loading: true }, 99, 20)).toBe(false);
    expect(shouldLoadMore({ ...loaded, error: 'x' }, 99, 20)).toBe(false);
    expect(shouldLoadMore({ ...loaded, next: null }, 99, 20)).toBe(false);
  });
});

describe('pagingReducer with document pages (no total)', () => {
  it('pages documents by key and leaves the total unknown', () => {
    let s: PagingState<Row> = pagingReducer(initialPaging<Row>(), { type: 'restart', token: 1 });
    s = pagingReducer(s, { type: 'appended', token: 1, page: { items: [{ id: 1 }], next: 'k1' } });
    s = pagingReducer(s, { type: 'appended', token: 1, page: { items: [{ id: 2 }], next: null } });
    expect(s.items.map((r) => r.id)).toEqual([1, 2]);
    expect(s.next).toBeNull();
    expect(s.total).toBeNull();
  });
});
