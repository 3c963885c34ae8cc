import { useCallback, useState, type SubmitEvent } from 'react';
import type { AppError } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { useServerStep } from '../../hooks/useServerStep';
import { splitErrors } from '../../lib/errors';
import { formatDecimal, formatQty, sumDecimals } from '../../lib/money';
import { Field } from '../Field';
import { StepNotice } from './StepNotice';

const RECEIVE_FIELDS = ['sku', 'qty', 'unitCost', 'warehouse'] as const;
type ReceiveField = (typeof RECEIVE_FIELDS)[number];

const RECEIVE_INPUTS: { field: ReceiveField; label: string; decimal: boolean }[] = [
  { field: 'sku', label: 'SKU', decimal: false },
  { field: 'qty', label: 'Quantity', decimal: true },
  { field: 'unitCost', label: 'Unit cost', decimal: true },
  { field: 'warehouse', label: 'Warehouse (optional)', decimal: false },
];

/** Stock per warehouse; a form to receive goods (the server decides). */
export function StockScreen({ version, onChanged }: { version: number; onChanged: () => void }) {
  const backend = useBackend();
  const load = useCallback(() => backend.erpStock(), [backend]);
  const { data, error } = useLoaded(load, version);
  const [values, setValues] = useState<Record<ReceiveField, string>>({ sku: '', qty: '', unitCost: '', warehouse: '' });
  const [formError, setFormError] = useState<AppError | null>(null);
  const { step, run, busy } = useServerStep(onChanged);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setFormError(null);
    const { sku, qty, unitCost, warehouse } = values;
    run(
      () => backend.erpReceiveStock(sku.trim(), qty.trim(), unitCost.trim(), warehouse.trim() === '' ? null : warehouse.trim()),
      setFormError,
    );
  };
  const { byField } = formError === null ? { byField: {} } : splitErrors<ReceiveField>(formError, RECEIVE_FIELDS);
  const fieldErrors: Partial<Record<ReceiveField, string>> = byField;
  const warehouses = data === null ? [] : [...new Set(data.map((r) => r.warehouse))];

  return (
    <section className="screen" aria-labelledby="stock-title">
      <header className="screen-header">
        <h1 id="stock-title">Stock</h1>
      </header>
      <form id="receive-form" className="form erp-form" onSubmit={submit} noValidate aria-label="Receive stock">
        <h2>Receive</h2>
        <div className="form-grid">
          {RECEIVE_INPUTS.map(({ field, label, decimal }) => (
            <Field
              key={field}
              id={`receive-${field}`}
              label={label}
              inputMode={decimal ? 'decimal' : undefined}
              value={values[field]}
              onChange={(value) => {
                setValues((v) => ({ ...v, [field]: value }));
              }}
              error={fieldErrors[field]}
            />
          ))}
        </div>
        <StepNotice id="receive-outcome" step={step} what="The receipt" />
        <div className="form-actions">
          <button id="receive-save" type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Sending…' : 'Receive'}
          </button>
        </div>
      </form>
      {error !== null && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {data === null && error === null && <p className="muted">Loading…</p>}
      {data !== null && data.length === 0 && <p className="empty">No stock yet.</p>}
      {warehouses.map((warehouse) => {
        const rows = (data ?? []).filter((r) => r.warehouse === warehouse);
        return (
          <div key={warehouse} className="stock-warehouse">
            <h2>{warehouse}</h2>
            <table className="data-table stock-table">
              <thead>
                <tr>
                  <th>SKU</th>
                  <th>Name</th>
                  <th className="num">On hand</th>
                  <th className="num">Reserved</th>
                  <th className="num">Available</th>
                  <th className="num">Value</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.sku}>
                    <td className="mono">{r.sku}</td>
                    <td>{r.name}</td>
                    <td className="num">{formatQty(r.onHand)}</td>
                    <td className="num">{formatQty(r.reserved)}</td>
                    <td className="num">{formatQty(r.available)}</td>
                    <td className="num">{formatDecimal(r.value, 2)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th colSpan={5}>Total value</th>
                  <td className="num">{formatDecimal(sumDecimals(rows.map((r) => r.value)), 2)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        );
      })}
    </section>
  );
}
