import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../backend';
import { groupHits, isSearchShortcut, moveSelection, shownOrder, targetOf } from './search';

function hit(kind: string, id: string, account: string | null = null): SearchHit {
  return { kind, id, account, title: `${kind} ${id}`, detail: '' };
}

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('grouping hits', () => {
  it('groups by kind in a fixed order, keeping the ranking within a group', () => {
    const groups = groupHits([hit('lead', 'l1'), hit('account', 'a1'), hit('deal', 'd1'), hit('account', 'a2'), hit('contact', 'c1')]);
    expect(groups.map((g) => g.label)).toEqual(['Accounts', 'Contacts', 'Deals', 'Leads']);
    expect(groups[0]?.hits.map((h) => h.hit.id)).toEqual(['a1', 'a2']);
  });

  it('numbers the hits top to bottom, the order the arrow keys follow', () => {
    const groups = groupHits([hit('lead', 'l1'), hit('account', 'a1'), hit('account', 'a2')]);
    expect(groups.flatMap((g) => g.hits.map((h) => h.index))).toEqual([0, 1, 2]);
    expect(shownOrder(groups).map((h) => h.id)).toEqual(['a1', 'a2', 'l1']);
  });

  it('puts an unknown kind last', () => {
    expect(groupHits([hit('invoice', 'i1'), hit('lead', 'l1')]).map((g) => g.kind)).toEqual(['lead', 'invoice']);
  });

  it('has no groups without hits', () => {
    expect(groupHits([])).toEqual([]);
  });
});

describe('keyboard selection', () => {
  it('moves down and up', () => {
    expect(moveSelection(0, 1, 3)).toBe(1);
    expect(moveSelection(2, -1, 3)).toBe(1);
  });

  it('wraps around at both ends', () => {
    expect(moveSelection(2, 1, 3)).toBe(0);
    expect(moveSelection(0, -1, 3)).toBe(2);
  });

  it('starts at the top going down and at the bottom going up', () => {
    expect(moveSelection(-1, 1, 3)).toBe(0);
    expect(moveSelection(-1, -1, 3)).toBe(2);
    expect(moveSelection(7, 1, 3)).toBe(0);
  });

  it('selects nothing without hits', () => {
    expect(moveSelection(0, 1, 0)).toBe(-1);
  });
});

describe('shortcut and targets', () => {
  it('opens on Ctrl+K and Cmd+K only', () => {
    expect(isSearchShortcut(key('k', { ctrlKey: true }))).toBe(true);
    expect(isSearchShortcut(key('K', { metaKey: true }))).toBe(true);
    expect(isSearchShortcut(key('k'))).toBe(false);
    expect(isSearchShortcut(key('k', { ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(isSearchShortcut(key('j', { ctrlKey: true }))).toBe(false);
  });

  it('opens an account, a contact its account, a deal the board, a lead the Leads screen', () => {
    expect(targetOf(hit('account', 'a1'))).toEqual({ screen: 'accounts', account: 'a1' });
    expect(targetOf(hit('contact', 'c1', 'a1'))).toEqual({ screen: 'accounts', account: 'a1' });
    expect(targetOf(hit('contact', 'c1'))).toBeNull();
    expect(targetOf(hit('deal', 'd1', 'a1'))).toEqual({ screen: 'deals', deal: 'd1' });
    expect(targetOf(hit('lead', 'l1'))).toEqual({ screen: 'leads', lead: 'l1' });
    expect(targetOf(hit('invoice', 'i1'))).toBeNull();
  });
});
