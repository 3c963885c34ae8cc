import { useCallback, useState, type SubmitEvent } from 'react';
import type { AppError } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDebounced } from '../../hooks/useDebounced';
import { useLoaded } from '../../hooks/useLoaded';
import { parseOrderLines } from '../../lib/erp';
import { splitErrors, toAppError } from '../../lib/errors';
import { Field } from '../Field';

const ORDER_FIELDS = ['account', 'lines', 'discount'] as const;
type OrderField = (typeof ORDER_FIELDS)[number];

interface OrderFormProps {
  /** Preselected customer (e.g. from an account). */
  account?: string;
  onCreated: (id: string) => void;
  onCancel: () => void;
}

/** A new draft order: a customer, lines typed as `SKU:QTY[:DISCOUNT]`, an optional order discount. */
export function OrderForm({ account: initialAccount, onCreated, onCancel }: OrderFormProps) {
  const backend = useBackend();
  const [account, setAccount] = useState(initialAccount ?? '');
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search, 200);
  const [linesText, setLinesText] = useState('');
  const [discount, setDiscount] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const loadAccounts = useCallback(
    () => backend.listAccounts({ search: debounced, sort: 'name', dir: 'asc', after: null, limit: 100 }),
    [backend, debounced],
  );
  const accounts = useLoaded(loadAccounts, 0);
  const parsed = parseOrderLines(linesText);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (parsed.errors.length > 0) {
      return;
    }
    setSaving(true);
    setError(null);
    backend.erpCreateOrder(account, parsed.lines, discount.trim() === '' ? null : discount.trim()).then(onCreated, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors<OrderField>(error, ORDER_FIELDS);
  const fieldErrors: Partial<Record<OrderField, string>> = byField;
  const options = accounts.data?.items ?? [];

  return (
    <form id="order-form" className="form erp-form" onSubmit={submit} noValidate aria-labelledby="order-form-title">
      <h2 id="order-form-title">New order</h2>
      <div className={fieldErrors.account === undefined ? 'field' : 'field field--invalid'}>
        <label htmlFor="order-account">Customer</label>
        <input
          id="order-account-search"
          type="search"
          placeholder="Search accounts"
          aria-label="Search accounts"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
          }}
        />
        <select
          id="order-account"
          value={account}
          onChange={(e) => {
            setAccount(e.target.value);
          }}
        >
          <option value="">— choose a customer —</option>
          {account !== '' && !options.some((a) => a.id === account) && <option value={account}>{account}</option>}
          {options.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
              {a.city === null ? '' : ` (${a.city})`}
            </option>
          ))}
        </select>
        {fieldErrors.account !== undefined && <p className="field-error">{fieldErrors.account}</p>}
      </div>
      <div className={fieldErrors.lines === undefined && parsed.errors.length === 0 ? 'field' : 'field field--invalid'}>
        <label htmlFor="order-lines">Lines (one per line: SKU:QTY, or SKU:QTY:DISCOUNT%)</label>
        <textarea
          id="order-lines"
          rows={6}
          placeholder={'WID-100:10\nSRV-INSTALL:1:5%'}
          value={linesText}
          onChange={(e) => {
            setLinesText(e.target.value);
          }}
        />
        {parsed.errors.map((err) => (
          <p key={err.line} className="field-error">
            Line {err.line}: {err.message}
          </p>
        ))}
        {fieldErrors.lines !== undefined && <p className="field-error">{fieldErrors.lines}</p>}
      </div>
      <Field
        id="order-discount"
        label="Order discount % (optional)"
        inputMode="decimal"
        value={discount}
        onChange={setDiscount}
        error={fieldErrors.discount}
      />
      {general !== null && (
        <p className="form-error" role="alert">
          {general}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button
          id="order-save"
          type="submit"
          className="button button--primary"
          disabled={saving || parsed.errors.length > 0 || parsed.lines.length === 0}
        >
          {saving ? 'Saving…' : 'Create draft'}
        </button>
      </div>
    </form>
  );
}
