// Pure logic of the global search palette: the shortcut, hits grouped by kind, the keyboard
// selection, and where a hit opens. The backend finds and ranks the hits.
import type { SearchHit } from '../backend';

export const SEARCH_LIMIT = 20;
export const SEARCH_DEBOUNCE_MS = 120;

/** Groups in this order; a kind the backend adds later comes last. */
const KIND_ORDER = ['account', 'contact', 'deal', 'lead'];

export const KIND_LABEL: Record<string, string> = {
  account: 'Accounts',
  contact: 'Contacts',
  deal: 'Deals',
  lead: 'Leads',
};

export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind;
}

export interface HitGroup {
  kind: string;
  label: string;
  /** Each hit with its place in the palette's keyboard order. */
  hits: { hit: SearchHit; index: number }[];
}

/**
 * The hits by kind (accounts, contacts, deals, leads, then any other kind), each group keeping
 * the backend's ranking. `index` numbers the hits in the order they are shown, top to bottom,
 * which is the order the arrow keys move through.
 */
export function groupHits(hits: readonly SearchHit[]): HitGroup[] {
  const kinds = [...new Set(hits.map((h) => h.kind))].sort((a, b) => rank(a) - rank(b));
  let index = 0;
  return kinds.map((kind) => ({
    kind,
    label: kindLabel(kind),
    hits: hits.filter((h) => h.kind === kind).map((hit) => ({ hit, index: index++ })),
  }));
}

function rank(kind: string): number {
  const at = KIND_ORDER.indexOf(kind);
  return at < 0 ? KIND_ORDER.length : at;
}

/** The hits in the order they are shown (the arrow keys' order). */
export function shownOrder(groups: readonly HitGroup[]): SearchHit[] {
  return groups.flatMap((g) => g.hits.map((h) => h.hit));
}

/** The selection after an arrow key: down past the last hit wraps to the first, up past the first to the last. */
export function moveSelection(current: number, delta: 1 | -1, count: number): number {
  if (count <= 0) {
    return -1;
  }
  if (current < 0 || current >= count) {
    return delta === 1 ? 0 : count - 1;
  }
  return (current + delta + count) % count;
}

export interface ShortcutKey {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Ctrl+K (Cmd+K on a Mac), without Alt or Shift. */
export function isSearchShortcut(e: ShortcutKey): boolean {
  return e.key.toLowerCase() === 'k' && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
}

/** Where a hit opens. */
export type SearchTarget =
  | { screen: 'accounts'; account: string }
  | { screen: 'deals'; deal: string }
  | { screen: 'leads'; lead: string }
  | null;

/** An account opens itself, a contact its account, a deal the board, a lead the Leads screen. */
export function targetOf(hit: SearchHit): SearchTarget {
  switch (hit.kind) {
    case 'account':
      return { screen: 'accounts', account: hit.id };
    case 'contact':
      return hit.account === null ? null : { screen: 'accounts', account: hit.account };
    case 'deal':
      return { screen: 'deals', deal: hit.id };
    case 'lead':
      return { screen: 'leads', lead: hit.id };
    default:
      return null;
  }
}
