import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { AccountRow, SortDir, SortKey } from '../backend';
import { useBackend } from '../BackendContext';
import { useAccountPages } from '../hooks/useAccountPages';
import { useDebounced } from '../hooks/useDebounced';
import { shouldLoadMore } from '../lib/paging';
import { PROFILE_BULK_FIELDS } from '../lib/profiles';
import { clickRow, NO_SELECTION } from '../lib/selection';
import { BulkEditBar } from './crm/BulkEditBar';
import { TagChips } from './crm/ProfileForm';

const ROW_HEIGHT = 74;
/** Fetch the next page when the viewport gets this close to the last loaded row. */
const PREFETCH_ROWS = 40;
const SEARCH_DEBOUNCE_MS = 200;

const SORT_LABEL: Record<SortKey, string> = { name: 'Name', city: 'City', updated: 'Last updated' };

function isSortKey(value: string): value is SortKey {
  return value === 'name' || value === 'city' || value === 'updated';
}

interface AccountListProps {
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** Changes whenever the data may have changed; the loaded rows are then read again. */
  version: number;
  /** A bulk edit changed accounts (without it, the list only reads itself again). */
  onChanged?: () => void;
}

interface AccountListRowProps {
  row: AccountRow;
  selected: boolean;
  onSelect: (id: string) => void;
  /** Checked for a bulk edit; a click on the box (with shift or not). */
  checked: boolean;
  onCheck: (id: string, shift: boolean) => void;
}

function AccountListRow({ row, selected, onSelect, checked, onCheck }: AccountListRowProps) {
  return (
    <div
      role="option"
      aria-selected={selected}
      data-testid="account-row"
      data-id={row.id}
      className={selected ? 'account-row account-row--selected account-row--checkable' : 'account-row account-row--checkable'}
      onClick={() => {
        onSelect(row.id);
      }}
    >
      <input
        type="checkbox"
        className="row-check"
        data-testid="row-check"
        aria-label={`Select ${row.name}`}
        checked={checked}
        readOnly
        onClick={(e) => {
          // A click on the box selects the row for the bulk edit, it does not open it.
          e.stopPropagation();
          onCheck(row.id, e.shiftKey);
        }}
      />
      <div className="account-row-line">
        <span className="account-name">{row.name}</span>
        {row.pending && <span className="pending-dot" title="Not yet synced" aria-label="Not yet synced" />}
      </div>
      <div className="account-row-line muted">
        <span className="account-place">
          <span className="account-city">{row.city ?? '—'}</span>
          {row.territory !== null && row.territory !== '' && (
            <span className="account-territory" title={`Territory: ${row.territory}`}>
              {row.territory}
            </span>
          )}
        </span>
        <span className="account-contacts">
          {row.contactCount} {row.contactCount === 1 ? 'contact' : 'contacts'}
        </span>
      </div>
      <div className="account-row-line account-row-profile muted">
        <span className="account-owner" title="Owner">
          {row.owner ?? ''}
        </span>
        {(row.tags ?? []).length > 0 && <TagChips tags={row.tags ?? []} className="tag-chips account-tags" />}
      </div>
    </div>
  );
}

export function AccountList({ selectedId, onSelect, version, onChanged }: AccountListProps) {
  const backend = useBackend();
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortKey>('name');
  const [dir, setDir] = useState<SortDir>('asc');
  const [tag, setTag] = useState('');
  const [owner, setOwner] = useState('');
  const debouncedSearch = useDebounced(search, SEARCH_DEBOUNCE_MS);
  const debouncedTag = useDebounced(tag, SEARCH_DEBOUNCE_MS);
  const debouncedOwner = useDebounced(owner, SEARCH_DEBOUNCE_MS);
  const filtered = debouncedSearch !== '' || debouncedTag.trim() !== '' || debouncedOwner.trim() !== '';
  const { state, loadMore, reload } = useAccountPages({ search: debouncedSearch, sort, dir, tag: debouncedTag, owner: debouncedOwner });
  const order = state.items.map((row) => row.id);
  const [selection, setSelection] = useState(NO_SELECTION);

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

  // A new query starts at the top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [debouncedSearch, sort, dir, debouncedTag, debouncedOwner]);

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
    const at = state.items.findIndex((row) => row.id === selectedId);
    const to = e.key === 'ArrowDown' ? Math.min(at + 1, state.items.length - 1) : Math.max(at - 1, 0);
    const row = state.items[to];
    if (row !== undefined) {
      onSelect(row.id);
      virtualizer.scrollToIndex(to, { align: 'auto' });
    }
  };

  return (
    <section className="list-pane" aria-label="Accounts">
      <div className="list-toolbar">
        <input
          id="account-search"
          type="search"
          className="search"
          placeholder="Search accounts"
          aria-label="Search accounts"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
          }}
        />
        <div className="list-controls">
          <label className="sort">
            <span className="muted">Sort</span>
            <select
              id="sort-key"
              value={sort}
              onChange={(e) => {
                if (isSortKey(e.target.value)) {
                  setSort(e.target.value);
                }
              }}
            >
              {(Object.keys(SORT_LABEL) as SortKey[]).map((key) => (
                <option key={key} value={key}>
                  {SORT_LABEL[key]}
                </option>
              ))}
            </select>
          </label>
          <button
            id="sort-dir"
            type="button"
            className="button button--small"
            data-dir={dir}
            aria-label={dir === 'asc' ? 'Ascending, click for descending' : 'Descending, click for ascending'}
            onClick={() => {
              setDir(dir === 'asc' ? 'desc' : 'asc');
            }}
          >
            {dir === 'asc' ? '↑ Asc' : '↓ Desc'}
          </button>
          <span className="list-total muted">
            <span id="account-total">{state.total ?? ''}</span> {state.total === 1 ? 'account' : 'accounts'}
          </span>
        </div>
        <div className="list-controls account-filters">
          {[
            { id: 'account-tag-filter', placeholder: 'Tag', label: 'Only accounts with this tag', value: tag, set: setTag },
            { id: 'account-owner-filter', placeholder: 'Owner', label: 'Only accounts of this owner', value: owner, set: setOwner },
          ].map((f) => (
            <input
              key={f.id}
              id={f.id}
              type="search"
              placeholder={f.placeholder}
              aria-label={f.label}
              value={f.value}
              onChange={(e) => {
                f.set(e.target.value);
              }}
            />
          ))}
        </div>
      </div>
      <BulkEditBar
        noun="accounts"
        order={order}
        selection={selection}
        onSelection={setSelection}
        fields={PROFILE_BULK_FIELDS}
        apply={(ids, input) => backend.crmBulkEditProfiles('account', ids, input)}
        onApplied={onChanged ?? reload}
      />
      <div
        ref={scrollRef}
        className="list-scroll"
        role="listbox"
        aria-label="Accounts"
        aria-busy={state.loading}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        <div className="list-sizer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualRows.map((v) => {
            const row = state.items[v.index];
            return (
              <div key={v.key} className="list-slot" style={{ height: v.size, transform: `translateY(${v.start}px)` }}>
                {row === undefined ? (
                  <div className="account-row account-row--loading muted">Loading…</div>
                ) : (
                  <AccountListRow
                    row={row}
                    selected={row.id === selectedId}
                    onSelect={onSelect}
                    checked={selection.ids.has(row.id)}
                    onCheck={(id, shift) => {
                      setSelection((s) => clickRow(s, order, id, shift));
                    }}
                  />
                )}
              </div>
            );
          })}
        </div>
        {!state.loading && state.error === null && state.total === 0 && (
          <p className="empty">{filtered ? 'No account matches your search.' : 'No accounts yet.'}</p>
        )}
        {state.error !== null && (
          <div className="list-error" role="alert">
            <p>{state.error}</p>
            <button type="button" className="button button--small" onClick={reload}>
              Try again
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
