// Row selection of a key-paged list (checkboxes): a click toggles one row, a shift-click selects
// the range from the last clicked row, "select all" takes every loaded row. Rows that left the
// list (moved, deleted, not loaded after a reload) no longer count as selected.

export interface Selection {
  ids: ReadonlySet<string>;
  /** The last row clicked without shift: where a shift-click range starts. */
  anchor: string | null;
}

export const NO_SELECTION: Selection = { ids: new Set(), anchor: null };

/**
 * The selection after a click on the checkbox of `id`. `order`: the loaded rows' ids, in list
 * order. With shift and an anchor still in the list, every row between the two is selected.
 */
export function clickRow(sel: Selection, order: readonly string[], id: string, shift: boolean): Selection {
  const from = sel.anchor === null ? -1 : order.indexOf(sel.anchor);
  const to = order.indexOf(id);
  if (shift && from >= 0 && to >= 0) {
    const ids = new Set(sel.ids);
    for (const rowId of order.slice(Math.min(from, to), Math.max(from, to) + 1)) {
      ids.add(rowId);
    }
    return { ids, anchor: sel.anchor };
  }
  const ids = new Set(sel.ids);
  if (ids.has(id)) {
    ids.delete(id);
  } else {
    ids.add(id);
  }
  return { ids, anchor: id };
}

/** The selected rows among the loaded ones, in list order (what a bulk edit changes). */
export function selectedIn(sel: Selection, order: readonly string[]): string[] {
  return order.filter((id) => sel.ids.has(id));
}

/** Are all loaded rows selected (and is there at least one)? */
export function allSelected(sel: Selection, order: readonly string[]): boolean {
  return order.length > 0 && order.every((id) => sel.ids.has(id));
}

/** "Select all" on the loaded pages; when all are selected already, it clears the selection. */
export function toggleAll(sel: Selection, order: readonly string[]): Selection {
  return allSelected(sel, order) ? NO_SELECTION : { ids: new Set(order), anchor: null };
}
