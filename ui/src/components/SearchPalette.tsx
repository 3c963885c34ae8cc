import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import type { SearchHit } from '../backend';
import { useBackend } from '../BackendContext';
import { useDebounced } from '../hooks/useDebounced';
import { useLoaded } from '../hooks/useLoaded';
import {
  groupHits,
  isSearchShortcut,
  moveSelection,
  SEARCH_DEBOUNCE_MS,
  SEARCH_LIMIT,
  shownOrder,
  targetOf,
  type SearchTarget,
} from '../lib/search';

interface SearchPaletteProps {
  /** Opens what a hit stands for (the palette has closed by then). */
  onOpen: (target: NonNullable<SearchTarget>) => void;
}

const NO_HITS: SearchHit[] = [];

/** The palette itself: the input, the hits by kind, the keyboard. */
function Palette({ onOpen, onClose }: SearchPaletteProps & { onClose: () => void }) {
  const backend = useBackend();
  const [text, setText] = useState('');
  const typed = useDebounced(text, SEARCH_DEBOUNCE_MS);
  const load = useCallback(
    () => (typed.trim() === '' ? Promise.resolve(NO_HITS) : backend.search(typed, SEARCH_LIMIT)),
    [backend, typed],
  );
  const { data, error } = useLoaded(load, 0);
  // The last answer stays on screen while the next one is read (no flicker as the user types).
  const [shown, setShown] = useState<SearchHit[]>(NO_HITS);
  if (data !== null && data !== shown) {
    setShown(data);
  }
  const groups = useMemo(() => groupHits(shown), [shown]);
  const order = useMemo(() => shownOrder(groups), [groups]);
  // The selection belongs to one answer; a new answer starts at its first hit.
  const [selection, setSelection] = useState<{ of: SearchHit[]; index: number }>({ of: NO_HITS, index: 0 });
  const selected = selection.of === order ? selection.index : 0;
  const searching = text !== typed || (typed.trim() !== '' && data === null && error === null);

  const open = (hit: SearchHit | undefined) => {
    const target = hit === undefined ? null : targetOf(hit);
    if (target !== null) {
      onClose();
      onOpen(target);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setSelection({ of: order, index: moveSelection(selected, e.key === 'ArrowDown' ? 1 : -1, order.length) });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      open(order[selected]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      // Only the palette closes, not a dialog underneath it.
      e.nativeEvent.stopPropagation();
      onClose();
    }
  };

  return (
    <div
      className="palette-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) {
          onClose();
        }
      }}
    >
      <div id="search-palette" className="palette" role="dialog" aria-modal="true" aria-label="Search">
        <input
          id="search-input"
          className="palette-input"
          type="search"
          role="combobox"
          aria-expanded={order.length > 0}
          aria-controls="search-hits"
          aria-activedescendant={order.length > 0 ? `search-hit-${selected}` : undefined}
          aria-autocomplete="list"
          placeholder="Search accounts, contacts, deals and leads"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={text}
          onChange={(e) => {
            setText(e.target.value);
          }}
          onKeyDown={onKeyDown}
        />
        <div id="search-hits" className="palette-hits" role="listbox" aria-label="Matches">
          {groups.map((g) => (
            <div key={g.kind} role="group" aria-label={g.label} className="palette-group">
              <div className="palette-group-label" aria-hidden="true">
                {g.label}
              </div>
              {g.hits.map(({ hit, index }) => (
                <div
                  key={`${hit.kind}-${hit.id}`}
                  id={`search-hit-${index}`}
                  role="option"
                  aria-selected={index === selected}
                  data-testid="search-hit"
                  data-kind={hit.kind}
                  data-id={hit.id}
                  className={index === selected ? 'palette-hit palette-hit--selected' : 'palette-hit'}
                  ref={
                    index === selected
                      ? (el) => {
                          el?.scrollIntoView({ block: 'nearest' });
                        }
                      : undefined
                  }
                  onMouseMove={() => {
                    if (index !== selected) {
                      setSelection({ of: order, index });
                    }
                  }}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    open(hit);
                  }}
                >
                  <span className="palette-hit-title">{hit.title}</span>
                  {hit.detail !== '' && <span className="palette-hit-detail muted">{hit.detail}</span>}
                </div>
              ))}
            </div>
          ))}
        </div>
        <div className="palette-footer muted" role="status">
          {error !== null
            ? error.message
            : searching
              ? 'Searching…'
              : typed.trim() === ''
                ? 'Type a name, an e-mail, a city… ↑↓ to move, Enter to open, Esc to close.'
                : order.length === 0
                  ? 'No matches.'
                  : `${order.length} ${order.length === 1 ? 'match' : 'matches'} · ↑↓ Enter Esc`}
        </div>
      </div>
    </div>
  );
}

/** The global search: Ctrl+K (Cmd+K on a Mac) opens it anywhere in the app. */
export function SearchPalette({ onOpen }: SearchPaletteProps) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (isSearchShortcut(e)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, []);
  const close = useCallback(() => {
    setOpen(false);
  }, []);
  return open ? <Palette onOpen={onOpen} onClose={close} /> : null;
}

/**
 * After the Deals screen opened from the search: brings the deal's card into view and focuses
 * it, once the board has drawn it (the deal may be on another pipeline's board: then nothing).
 */
export function revealDealCard(id: string, waitMs = 3000) {
  const until = Date.now() + waitMs;
  const look = () => {
    const card = document.querySelector<HTMLElement>(`[data-deal-id="${CSS.escape(id)}"]`);
    if (card !== null) {
      card.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      card.querySelector<HTMLElement>('.deal-card-name')?.focus();
      card.classList.add('deal-card--found');
      window.setTimeout(() => {
        card.classList.remove('deal-card--found');
      }, 2500);
    } else if (Date.now() < until) {
      window.setTimeout(look, 100);
    }
  };
  window.setTimeout(look, 0);
}
