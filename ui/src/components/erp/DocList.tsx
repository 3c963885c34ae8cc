import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { DocPages } from '../../hooks/useDocPages';
import { shouldLoadMore } from '../../lib/paging';

const ROW_HEIGHT = 56;
/** Fetch the next page when the viewport gets this close to the last loaded row. */
const PREFETCH_ROWS = 40;

interface DocListProps<T> {
  label: string;
  pages: DocPages<T>;
  idOf: (item: T) => string;
  /** The two lines of a row. */
  renderRow: (item: T) => ReactNode;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** Changes whenever the data may have changed; the loaded rows are then read again. */
  version: number;
  emptyText: string;
  testId: string;
  /** Checkboxes for a bulk action: which rows are checked, and a click on one (with shift or not). */
  checks?: { checked: ReadonlySet<string>; onClick: (id: string, shift: boolean) => void; labelOf: (item: T) => string };
}

/** A virtualised, key-paged list of documents (the same pattern as the accounts list). */
export function DocList<T>({
  label,
  pages,
  idOf,
  renderRow,
  selectedId,
  onSelect,
  version,
  emptyText,
  testId,
  checks,
}: DocListProps<T>) {
  const { state, loadMore, reload } = pages;
  const scrollRef = useRef<HTMLDivElement>(null);
  const hasMore = state.next !== null;
  // No React Compiler here; the virtualizer re-renders this component on scroll by itself.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: state.items.length + (hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (shouldLoadMore(state, lastIndex, PREFETCH_ROWS)) {
      loadMore();
    }
  }, [state, lastIndex, loadMore]);

  const firstVersion = useRef(version);
  useEffect(() => {
    if (version !== firstVersion.current) {
      reload();
    }
  }, [version, reload]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') {
      return;
    }
    e.preventDefault();
    const at = state.items.findIndex((item) => idOf(item) === selectedId);
    const to = e.key === 'ArrowDown' ? Math.min(at + 1, state.items.length - 1) : Math.max(at - 1, 0);
    const item = state.items[to];
    if (item !== undefined) {
      onSelect(idOf(item));
      virtualizer.scrollToIndex(to, { align: 'auto' });
    }
  };

  return (
    <div
      ref={scrollRef}
      className="list-scroll"
      role="listbox"
      aria-label={label}
      aria-busy={state.loading}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="list-sizer" style={{ height: virtualizer.getTotalSize() }}>
        {virtualRows.map((v) => {
          const item = state.items[v.index];
          if (item === undefined) {
            return (
              <div key={v.key} className="list-slot" style={{ height: v.size, transform: `translateY(${v.start}px)` }}>
                <div className="account-row account-row--loading muted">Loading…</div>
              </div>
            );
          }
          const id = idOf(item);
          const rowClass = id === selectedId ? 'account-row account-row--selected' : 'account-row';
          return (
            <div key={v.key} className="list-slot" style={{ height: v.size, transform: `translateY(${v.start}px)` }}>
              <div
                role="option"
                aria-selected={id === selectedId}
                data-testid={testId}
                data-id={id}
                className={checks === undefined ? rowClass : `${rowClass} account-row--checkable`}
                onClick={() => {
                  onSelect(id);
                }}
              >
                {checks !== undefined && (
                  <input
                    type="checkbox"
                    className="row-check"
                    data-testid="row-check"
                    aria-label={`Select ${checks.labelOf(item)}`}
                    checked={checks.checked.has(id)}
                    readOnly
                    onClick={(e) => {
                      // A click on the box selects the row for the bulk action, it does not open it.
                      e.stopPropagation();
                      checks.onClick(id, e.shiftKey);
                    }}
                  />
                )}
                {renderRow(item)}
              </div>
            </div>
          );
        })}
      </div>
      {!state.loading && state.error === null && state.items.length === 0 && <p className="empty">{emptyText}</p>}
      {state.error !== null && (
        <div className="list-error" role="alert">
          <p>{state.error}</p>
          <button type="button" className="button button--small" onClick={reload}>
            Try again
          </button>
        </div>
      )}
    </div>
  );
}
