import { useCallback, useState, type SubmitEvent } from 'react';
import type { AppError, Deal, Quote } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useLoaded } from '../../../hooks/useLoaded';
import { isoDayAfter } from '../../../lib/crm';
import { splitErrors, toAppError } from '../../../lib/errors';
import {
  QUOTE_FIELDS,
  emptyQuoteLine,
  groupRows,
  lineErrorIndex,
  quoteLinesInput,
  quoteRef,
  rowsOfQuote,
  type QuoteField,
  type QuoteLineRow,
} from '../../../lib/quotes';
import { Field } from '../../Field';
import { Modal } from '../../Modal';

interface QuoteFormProps {
  account: string;
  deals: Deal[];
  /** The quote to revise; omitted for a new one. */
  quote?: Quote;
  /** The quote's id once saved (and priced by the device). */
  onSaved: (id: string) => void;
  onCancel: () => void;
}

/** Row index of each line sent (blank rows are not sent). */
function sentRows(rows: readonly QuoteLineRow[]): number[] {
  return groupRows(rows)
    .flatMap((g) => g.rows)
    .sort((a, b) => a - b);
}

/**
 * A new quote (or a revision): lines by SKU with quantity, discount, "optional" and a bundle name
 * (lines with one name form a bundle), a quote discount and the validity. The device prices it.
 */
export function QuoteForm({ account, deals, quote, onSaved, onCancel }: QuoteFormProps) {
  const backend = useBackend();
  const [rows, setRows] = useState<QuoteLineRow[]>(() => (quote === undefined ? [emptyQuoteLine()] : rowsOfQuote(quote)));
  const [discount, setDiscount] = useState(quote === undefined ? '' : quote.discount);
  const [validUntil, setValidUntil] = useState(quote?.valid_until ?? isoDayAfter(new Date(), 30));
  const [deal, setDeal] = useState(quote?.deal ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const loadProducts = useCallback(() => backend.erpProducts(), [backend]);
  const products = useLoaded(loadProducts, 0);

  const setRow = (i: number, patch: Partial<QuoteLineRow>) => {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    const lines = quoteLinesInput(rows);
    const d = discount.trim() === '' ? null : discount.trim();
    const save =
      quote === undefined
        ? backend.crmCreateQuote(account, deal === '' ? null : deal, lines, d, validUntil)
        : backend.crmUpdateQuote(quote.id, lines, d, validUntil).then((q) => q.id);
    save.then(onSaved, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };

  // Line errors (`lines[2]`, `lines[1].components[2]`) go under their row.
  const sent = sentRows(rows);
  const rowErrors = new Map<number, string[]>();
  for (const f of error?.fields ?? []) {
    const k = lineErrorIndex(f.field);
    const row = k === null ? undefined : sent[k];
    if (row !== undefined) {
      rowErrors.set(row, [...(rowErrors.get(row) ?? []), f.message]);
    }
  }
  // The rest under the form's other fields, or as one message when no row shows it.
  const others = (error?.fields ?? []).filter((f) => lineErrorIndex(f.field) === null);
  const { byField, general } =
    error === null || (rowErrors.size > 0 && others.length === 0)
      ? { byField: {}, general: null }
      : splitErrors<QuoteField>({ ...error, fields: others }, QUOTE_FIELDS);
  const fieldErrors: Partial<Record<QuoteField, string>> = byField;
  const bundles = groupRows(rows).filter((g) => g.bundle !== null);

  return (
    <Modal title={quote === undefined ? 'New quote' : `Revise ${quoteRef(quote)}`} titleId="quote-form-title" onClose={onCancel} wide>
      <form id="quote-form" className="form quote-form" onSubmit={submit} noValidate>
        <datalist id="quote-skus">
          {(products.data ?? [])
            .filter((p) => p.active)
            .map((p) => (
              <option key={p.id} value={p.sku}>
                {p.name}
              </option>
            ))}
        </datalist>
        <table className="quote-lines-editor">
          <thead>
            <tr>
              <th>SKU</th>
              <th className="num">Qty</th>
              <th className="num">Disc. %</th>
              <th>Optional</th>
              <th>Bundle</th>
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} data-testid="quote-line" className={rowErrors.has(i) ? 'quote-line--invalid' : undefined}>
                <td>
                  <input
                    id={`quote-line-${i}-sku`}
                    aria-label={`Line ${i + 1} SKU`}
                    list="quote-skus"
                    value={r.sku}
                    onChange={(e) => {
                      setRow(i, { sku: e.target.value });
                    }}
                  />
                  {(rowErrors.get(i) ?? []).map((m) => (
                    <p key={m} className="field-error" data-testid="quote-line-error">
                      {m}
                    </p>
                  ))}
                </td>
                <td>
                  <input
                    id={`quote-line-${i}-qty`}
                    aria-label={`Line ${i + 1} quantity`}
                    className="num-input"
                    inputMode="decimal"
                    value={r.qty}
                    onChange={(e) => {
                      setRow(i, { qty: e.target.value });
                    }}
                  />
                </td>
                <td>
                  <input
                    id={`quote-line-${i}-discount`}
                    aria-label={`Line ${i + 1} discount percent`}
                    className="num-input"
                    inputMode="decimal"
                    placeholder="0"
                    value={r.discount}
                    onChange={(e) => {
                      setRow(i, { discount: e.target.value });
                    }}
                  />
                </td>
                <td>
                  <input
                    id={`quote-line-${i}-optional`}
                    type="checkbox"
                    aria-label={`Line ${i + 1} optional`}
                    checked={r.optional}
                    onChange={(e) => {
                      setRow(i, { optional: e.target.checked });
                    }}
                  />
                </td>
                <td>
                  <input
                    id={`quote-line-${i}-bundle`}
                    aria-label={`Line ${i + 1} bundle name`}
                    placeholder="—"
                    value={r.bundle}
                    onChange={(e) => {
                      setRow(i, { bundle: e.target.value });
                    }}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Remove line ${i + 1}`}
                    disabled={rows.length === 1}
                    onClick={() => {
                      setRows((rs) => rs.filter((_, j) => j !== i));
                    }}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button
          id="quote-add-line"
          type="button"
          className="button button--small"
          onClick={() => {
            setRows((rs) => [...rs, emptyQuoteLine()]);
          }}
        >
          Add line
        </button>
        {bundles.length > 0 && (
          <p className="muted">
            Bundles: {bundles.map((b) => `${b.bundle ?? ''} (${b.rows.length} ${b.rows.length === 1 ? 'part' : 'parts'})`).join(', ')}. A
            bundle is optional when its first line is.
          </p>
        )}
        {fieldErrors.lines !== undefined && <p className="field-error">{fieldErrors.lines}</p>}
        <div className="form-grid">
          <Field
            id="quote-discount"
            label="Quote discount % (blank: the customer's)"
            inputMode="decimal"
            value={discount}
            onChange={setDiscount}
            error={fieldErrors.discount}
          />
          <Field id="quote-valid-until" label="Valid until" type="date" value={validUntil} onChange={setValidUntil} error={fieldErrors.validUntil} />
          {quote === undefined && deals.length > 0 && (
            <div className="field">
              <label htmlFor="quote-deal">Deal (optional)</label>
              <select
                id="quote-deal"
                value={deal}
                onChange={(e) => {
                  setDeal(e.target.value);
                }}
              >
                <option value="">— none —</option>
                {deals.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
        {general !== null && (
          <p id="quote-form-error" className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
          <button id="quote-save" type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Pricing…' : quote === undefined ? 'Create quote' : 'Save revision'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
