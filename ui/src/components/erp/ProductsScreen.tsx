import { useCallback, useState, type SubmitEvent } from 'react';
import type { AppError, ProductInput, ProductRow } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { splitErrors, toAppError } from '../../lib/errors';
import { formatMoney, formatPercent, formatQty } from '../../lib/money';
import { Field } from '../Field';
import { PriceLists } from './PriceLists';

const PRODUCT_FIELDS = ['sku', 'name', 'kind', 'unit', 'taxRate', 'price', 'currency', 'cost', 'allowNegative'] as const;
type ProductField = (typeof PRODUCT_FIELDS)[number];

const EMPTY: ProductInput = {
  sku: '',
  name: '',
  kind: 'goods',
  unit: 'pcs',
  taxRate: '',
  price: '',
  currency: 'EUR',
  cost: '',
  allowNegative: false,
};

const TEXT_FIELDS: { field: Exclude<ProductField, 'kind' | 'allowNegative'>; label: string }[] = [
  { field: 'sku', label: 'SKU' },
  { field: 'name', label: 'Name' },
  { field: 'unit', label: 'Unit' },
  { field: 'taxRate', label: 'Tax rate (%)' },
  { field: 'price', label: 'Price' },
  { field: 'currency', label: 'Currency' },
  { field: 'cost', label: 'Cost' },
];

function ProductForm({ onSaved, onCancel }: { onSaved: () => void; onCancel: () => void }) {
  const backend = useBackend();
  const [values, setValues] = useState<ProductInput>(EMPTY);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    backend.erpCreateProduct(values).then(onSaved, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors<ProductField>(error, PRODUCT_FIELDS);
  const fieldErrors: Partial<Record<ProductField, string>> = byField;

  return (
    <form id="product-form" className="form erp-form" onSubmit={submit} noValidate aria-labelledby="product-form-title">
      <h2 id="product-form-title">New product</h2>
      <div className="form-grid">
        {TEXT_FIELDS.map(({ field, label }, i) => (
          <Field
            key={field}
            id={`product-${field}`}
            label={label}
            autoFocus={i === 0}
            inputMode={field === 'taxRate' || field === 'price' || field === 'cost' ? 'decimal' : undefined}
            value={values[field]}
            onChange={(value) => {
              setValues((v) => ({ ...v, [field]: value }));
            }}
            error={fieldErrors[field]}
          />
        ))}
        <div className={fieldErrors.kind === undefined ? 'field' : 'field field--invalid'}>
          <label htmlFor="product-kind">Kind</label>
          <select
            id="product-kind"
            value={values.kind}
            onChange={(e) => {
              const kind = e.target.value === 'service' ? 'service' : 'goods';
              setValues((v) => ({ ...v, kind }));
            }}
          >
            <option value="goods">Goods</option>
            <option value="service">Service</option>
          </select>
          {fieldErrors.kind !== undefined && <p className="field-error">{fieldErrors.kind}</p>}
        </div>
        <label className="checkbox">
          <input
            id="product-allowNegative"
            type="checkbox"
            checked={values.allowNegative}
            onChange={(e) => {
              const allowNegative = e.target.checked;
              setValues((v) => ({ ...v, allowNegative }));
            }}
          />
          Allow negative stock
        </label>
      </div>
      {general !== null && (
        <p className="form-error" role="alert">
          {general}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button id="product-save" type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

const NO_PRODUCTS: readonly ProductRow[] = [];

/** The catalogue with stock totals; a form to add a product. */
export function ProductsScreen({ version, onChanged }: { version: number; onChanged: () => void }) {
  const backend = useBackend();
  const load = useCallback(() => backend.erpProducts(), [backend]);
  const { data, error } = useLoaded(load, version);
  const [creating, setCreating] = useState(false);

  return (
    <section className="screen" aria-labelledby="products-title">
      <header className="screen-header">
        <h1 id="products-title">Products</h1>
        {!creating && (
          <button
            id="new-product"
            type="button"
            className="button button--primary button--small"
            onClick={() => {
              setCreating(true);
            }}
          >
            New product
          </button>
        )}
      </header>
      {creating && (
        <ProductForm
          onSaved={() => {
            setCreating(false);
            onChanged();
          }}
          onCancel={() => {
            setCreating(false);
          }}
        />
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {data === null && error === null && <p className="muted">Loading…</p>}
      {data !== null && data.length === 0 && <p className="empty">No products yet.</p>}
      {data !== null && data.length > 0 && (
        <table id="products-table" className="data-table">
          <thead>
            <tr>
              <th>SKU</th>
              <th>Name</th>
              <th>Kind</th>
              <th className="num">Price</th>
              <th className="num">Tax</th>
              <th className="num">On hand</th>
              <th className="num">Available</th>
            </tr>
          </thead>
          <tbody>
            {data.map((p) => (
              <tr key={p.id} data-id={p.id} className={p.active ? undefined : 'muted'}>
                <td className="mono">{p.sku}</td>
                <td>{p.name}</td>
                <td>{p.kind === 'service' ? 'Service' : 'Goods'}</td>
                <td className="num">{formatMoney(p.price.amount, p.price.currency)}</td>
                <td className="num">{formatPercent(p.tax_rate)}</td>
                <td className="num">{p.kind === 'service' ? '—' : `${formatQty(p.onHand)} ${p.unit}`}</td>
                <td className="num">{p.kind === 'service' ? '—' : `${formatQty(p.available)} ${p.unit}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PriceLists products={data ?? NO_PRODUCTS} version={version} onChanged={onChanged} />
    </section>
  );
}
