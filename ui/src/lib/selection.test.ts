import { describe, expect, it } from 'vitest';
import { allSelected, clickRow, NO_SELECTION, selectedIn, toggleAll, type Selection } from './selection';

const ORDER = ['a', 'b', 'c', 'd', 'e'];

function ids(sel: Selection): string[] {
  return [...sel.ids].sort();
}

describe('row selection', () => {
  it('toggles one row per click and remembers it as the anchor', () => {
    const one = clickRow(NO_SELECTION, ORDER, 'b', false);
    expect(ids(one)).toEqual(['b']);
    expect(one.anchor).toBe('b');
    const none = clickRow(one, ORDER, 'b', false);
    expect(ids(none)).toEqual([]);
  });

  it('selects the range from the anchor on shift-click, in either direction', () => {
    const down = clickRow(clickRow(NO_SELECTION, ORDER, 'b', false), ORDER, 'd', true);
    expect(ids(down)).toEqual(['b', 'c', 'd']);
    expect(down.anchor).toBe('b');
    const up = clickRow(clickRow(NO_SELECTION, ORDER, 'e', false), ORDER, 'c', true);
    expect(ids(up)).toEqual(['c', 'd', 'e']);
  });

  it('treats a shift-click without an anchor in the list as a plain click', () => {
    expect(ids(clickRow(NO_SELECTION, ORDER, 'c', true))).toEqual(['c']);
    const gone: Selection = { ids: new Set(['x']), anchor: 'x' };
    expect(ids(clickRow(gone, ORDER, 'c', true))).toEqual(['c', 'x']);
  });

  it('selects every loaded row, or clears when all are selected', () => {
    const all = toggleAll(NO_SELECTION, ORDER);
    expect(allSelected(all, ORDER)).toBe(true);
    expect(ids(toggleAll(all, ORDER))).toEqual([]);
    expect(allSelected(NO_SELECTION, [])).toBe(false);
  });

  it('counts only rows still in the list, in list order', () => {
    const sel: Selection = { ids: new Set(['d', 'gone', 'a']), anchor: null };
    expect(selectedIn(sel, ORDER)).toEqual(['a', 'd']);
    expect(allSelected({ ids: new Set(ORDER), anchor: null }, [...ORDER, 'f'])).toBe(false);
  });
});
