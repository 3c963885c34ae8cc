import { useState, type SubmitEvent } from 'react';
import { bulkPatch, emptyBulkValues, isEmptyPatch, type BulkField, type BulkValues } from '../../lib/bulkEdit';
import { toAppError } from '../../lib/errors';
import { allSelected, NO_SELECTION, selectedIn, toggleAll, type Selection } from '../../lib/selection';

interface BulkEditBarProps<K extends string> {
  /** `deals`, `leads`: how the rows are named. */
  noun: string;
  /** The loaded rows' ids, in list order. */
  order: readonly string[];
  selection: Selection;
  onSelection: (next: Selection) => void;
  fields: readonly BulkField<K>[];
  /** Changes every id or none; resolves to how many changed. */
  apply: (ids: string[], patch: Partial<Record<K, string>>) => Promise<number>;
  onApplied: () => void;
}

/**
 * Above a list with checkboxes: "select all" on the loaded pages, and once rows are selected,
 * the fields to set on all of them. All or nothing: a refusal is shown and changes nothing.
 */
export function BulkEditBar<K extends string>({
  noun,
  order,
  selection,
  onSelection,
  fields,
  apply,
  onApplied,
}: BulkEditBarProps<K>) {
  const [values, setValues] = useState<BulkValues<K>>(() => emptyBulkValues(fields));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const ids = selectedIn(selection, order);
  const patch = bulkPatch(values);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (ids.length === 0 || isEmptyPatch(patch)) {
      return;
    }
    setBusy(true);
    setOutcome(null);
    apply(ids, patch)
      .then(
        (n) => {
          setOutcome({ ok: true, text: `Changed ${String(n)} ${noun}.` });
          setValues(emptyBulkValues(fields));
          onSelection(NO_SELECTION);
          onApplied();
        },
        (err: unknown) => {
          setOutcome({ ok: false, text: `Nothing was changed: ${toAppError(err).message}` });
        },
      )
      .finally(() => {
        setBusy(false);
      });
  };

  return (
    <div className="bulk-bar" id="bulk-bar">
      <div className="bulk-bar-line">
        <label className="bulk-select-all">
          <input
            id="select-all"
            type="checkbox"
            checked={allSelected(selection, order)}
            disabled={order.length === 0}
            onChange={() => {
              onSelection(toggleAll(selection, order));
            }}
          />
          <span>Select all loaded</span>
        </label>
        {ids.length > 0 && (
          <span id="bulk-count" className="muted">
            {ids.length} selected
          </span>
        )}
      </div>
      {ids.length > 0 && (
        <form className="bulk-form" onSubmit={submit} aria-label={`Change the selected ${noun}`}>
          {fields.map((f) => (
            <label key={f.key} className="bulk-field">
              <span className="muted">{f.label}</span>
              {f.kind === 'select' ? (
                <select
                  id={`bulk-${f.key}`}
                  value={values[f.key]}
                  disabled={busy}
                  onChange={(e) => {
                    setValues((v) => ({ ...v, [f.key]: e.target.value }));
                  }}
                >
                  {(f.options ?? []).map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={`bulk-${f.key}`}
                  type={f.kind}
                  value={values[f.key]}
                  placeholder="unchanged"
                  disabled={busy}
                  onChange={(e) => {
                    setValues((v) => ({ ...v, [f.key]: e.target.value }));
                  }}
                />
              )}
            </label>
          ))}
          <div className="bulk-actions">
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              onClick={() => {
                onSelection(NO_SELECTION);
              }}
            >
              Clear selection
            </button>
            <button id="bulk-apply" type="submit" className="button button--primary button--small" disabled={busy || isEmptyPatch(patch)}>
              {busy ? 'Changing…' : `Change ${String(ids.length)} ${noun}`}
            </button>
          </div>
        </form>
      )}
      {outcome !== null && (
        <p
          id={outcome.ok ? 'bulk-done' : 'bulk-error'}
          className={outcome.ok ? 'notice notice--ok' : 'notice notice--error'}
          role={outcome.ok ? 'status' : 'alert'}
        >
          {outcome.text}
        </p>
      )}
    </div>
  );
}
