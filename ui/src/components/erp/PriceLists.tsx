import { useCallback, useMemo, useState, type SubmitEvent } from 'react';
import type { AppError, Product } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import {
  EMPTY_PRICE,
  PRICE_FIELDS,
  priceFormError,
  priceInput,
  priceListCustomers,
  priceRows,
  sortPriceLists,
  validityLabel,
  type PriceField,
  type PriceFormValues,
} from '../../lib/erp';
import { splitErrors, toAppError } from '../../lib/errors';
import { fieldSlug } from '../../lib/form';
import { formatMoney, formatQty } from '../../lib/money';
import { Field } from '../Field';

const PRICE_INPUTS: { field: PriceField; label: string; type?: string; decimal?: boolean; placeholder?: string }[] = [
  { field: 'list', label: 'Price list' },
  { field: 'currency', label: 'Currency' },
  { field: 'sku', label: 'SKU' },
  { field: 'price', label: 'Unit price', decimal: true },
  { field: 'minQty', label: 'From quantity', decimal: true, placeholder: '0' },
  { field: 'customer', label: 'Customer account id (optional)' },
  { field: 'validFrom', label: 'Valid from (optional)', type: 'date' },
  { field: 'validTo', label: 'Valid to (optional)', type: 'date' },
];

/** Sets one price (list, SKU, quantity break); the backend finds or makes the list. */
function PriceForm({ skus, onSaved, onCancel }: { skus: string[]; onSaved: () => void; onCancel: () => void }) {
  const backend = useBackend();
  const [values, setValues] = useState<PriceFormValues>(EMPTY_PRICE);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    backend.erpSetPrice(priceInput(values)).then(
      () => {
        setSaving(false);
        onSaved();
      },
      (err: unknown) => {
        setSaving(false);
        setError(priceFormError(toAppError(err)));
      },
    );
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors<PriceField>(error, PRICE_FIELDS);
  const fieldErrors: Partial<Record<PriceField, string>> = byField;

  return (
    <form id="price-form" className="form erp-form" onSubmit={submit} noValidate aria-labelledby="price-form-title">
      <h3 id="price-form-title">Set price</h3>
      <div className="form-grid">
        {PRICE_INPUTS.map(({ field, label, type, decimal, placeholder }, i) => (
          <Field
            key={field}
            id={`price-${fieldSlug(field)}`}
            label={label}
            autoFocus={i === 0}
            type={type}
            inputMode={decimal === true ? 'decimal' : undefined}
            placeholder={placeholder}
            list={field === 'sku' ? 'price-sku-options' : undefined}
            value={values[field]}
            onChange={(value) => {
              setValues((v) => ({ ...v, [field]: value }));
            }}
            error={fieldErrors[field]}
          />
        ))}
        <datalist id="price-sku-options">
          {skus.map((sku) => (
            <option key={sku} value={sku} />
          ))}
        </datalist>
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
        <button id="price-save" type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save price'}
        </button>
      </div>
    </form>
  );
}

/** The price lists with their quantity breaks, and a form to set a price. */
export function PriceLists({
  products,
  version,
  onChanged,
}: {
  products: readonly Pick<Product, 'id' | 'sku'>[];
  version: number;
  onChanged: () => void;
}) {
  const backend = useBackend();
  const load = useCallback(() => backend.erpPriceLists(), [backend]);
  const { data, error } = useLoaded(load, version);
  const [editing, setEditing] = useState(false);
  const skuById = useMemo(() => new Map(products.map((p) => [p.id, p.sku])), [products]);
  const skus = useMemo(() => products.map((p) => p.sku).sort(), [products]);
  const lists = data === null ? null : sortPriceLists(data);
  // Customer names, looked up once per customer; the id stays shown when the lookup fails.
  const customersKey = data === null ? '' : priceListCustomers(data).join(',');
  const loadNames = useCallback(async () => {
    const ids = customersKey === '' ? [] : customersKey.split(',');
    const names = await Promise.all(
      ids.map((id) =>
        backend.getAccount(id).then(
          (detail) => [id, detail.account.name] as const,
          () => [id, null] as const,
        ),
      ),
    );
    return new Map(names.filter((entry): entry is readonly [string, string] => entry[1] !== null));
  }, [backend, customersKey]);
  const customerNames = useLoaded(loadNames, version).data;

  return (
    <section id="price-lists" className="price-lists" aria-labelledby="price-lists-title">
      <header className="screen-header">
        <h2 id="price-lists-title">Price lists</h2>
        {!editing && (
          <button
            id="price-new"
            type="button"
            className="button button--primary button--small"
            onClick={() => {
              setEditing(true);
            }}
          >
            Set price
          </button>
        )}
      </header>
      {editing && (
        <PriceForm
          skus={skus}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
          onCancel={() => {
            setEditing(false);
          }}
        />
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {lists === null && error === null && <p className="muted">Loading…</p>}
      {lists !== null && lists.length === 0 && <p className="empty">No price lists yet.</p>}
      {lists?.map((list) => {
        const rows = priceRows(list, skuById);
        return (
          <div key={list.id} className="price-list" data-id={list.id}>
            <h3>
              {list.name} <span className="muted">· {list.currency}</span>
            </h3>
            <p className="muted">
              {list.customer !== null && (
                <>
                  For customer{' '}
                  {customerNames?.get(list.customer) ?? <span className="mono">{list.customer}</span>} ·{' '}
                </>
              )}
              Valid {validityLabel(list.valid_from, list.valid_to)}
            </p>
            {rows.length === 0 ? (
              <p className="empty">No prices in this list.</p>
            ) : (
              <table className="data-table price-list-table">
                <thead>
                  <tr>
                    <th>SKU</th>
                    <th className="num">From quantity</th>
                    <th className="num">Unit price</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={`${row.product}:${row.minQty}`}>
                      <td className="mono">{row.sku}</td>
                      <td className="num">{formatQty(row.minQty)}</td>
                      <td className="num">{formatMoney(row.unitPrice, list.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
    </section>
  );
}
