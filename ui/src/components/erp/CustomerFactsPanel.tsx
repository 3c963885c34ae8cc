import { useCallback, useState } from 'react';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { canEditTerms, deliveryTiming, invoiceKindLabel, invoiceRef, orderRef, statusLabel } from '../../lib/erp';
import { formatMoney, signOf } from '../../lib/money';
import { useSession } from '../../SessionContext';
import { TermsForm } from './TermsForm';

/**
 * Read-only "Orders & invoices" of one customer, from the local copy (works offline): orders,
 * shipments against their promise, invoices with what is still open, balance and credit.
 */
interface CustomerFactsPanelProps {
  account: string;
  version: number;
  onChanged: () => void;
  /** Opens a new order for this customer; omitted where there is no orders screen. */
  onNewOrder?: () => void;
}

export function CustomerFactsPanel({ account, version, onChanged, onNewOrder }: CustomerFactsPanelProps) {
  const backend = useBackend();
  const session = useSession();
  const [editing, setEditing] = useState(false);
  const load = useCallback(() => backend.erpCustomerFacts(account), [backend, account]);
  const { data: facts, error } = useLoaded(load, version);

  if (error !== null) {
    return (
      <section className="customer-facts" aria-labelledby="customer-facts-title">
        <h3 id="customer-facts-title">Orders &amp; invoices</h3>
        <p className="muted" role="status">
          {error.message}
        </p>
      </section>
    );
  }
  if (facts === null) {
    return null;
  }
  const cur = facts.terms.currency;

  return (
    <section id="customer-facts" className="customer-facts" aria-labelledby="customer-facts-title">
      <div className="section-header">
        <h3 id="customer-facts-title">Orders &amp; invoices</h3>
        <div className="detail-actions">
          {onNewOrder !== undefined && (
            <button id="account-new-order" type="button" className="button button--small" onClick={onNewOrder}>
              New order
            </button>
          )}
          {canEditTerms(session?.role) && !editing && (
            <button
              id="edit-terms"
              type="button"
              className="button button--small"
              onClick={() => {
                setEditing(true);
              }}
            >
              Edit terms
            </button>
          )}
        </div>
      </div>
      {editing && (
        <TermsForm
          terms={facts.terms}
          onChanged={onChanged}
          onClose={() => {
            setEditing(false);
          }}
        />
      )}
      <dl className="facts">
        <dt>Open balance</dt>
        <dd id="facts-open-balance">{formatMoney(facts.openBalance, cur)}</dd>
        <dt>Open orders</dt>
        <dd>{formatMoney(facts.openOrders, cur)}</dd>
        <dt>Credit limit</dt>
        <dd>{facts.terms.credit_limit === null ? <span className="muted">none</span> : formatMoney(facts.terms.credit_limit, cur)}</dd>
        <dt>Credit available</dt>
        <dd id="facts-credit">
          {facts.creditAvailable === null ? <span className="muted">—</span> : formatMoney(facts.creditAvailable, cur)}
          {facts.overLimit && (
            <span id="facts-over-limit" className="status-badge status-badge--over">
              Over limit
            </span>
          )}
        </dd>
        <dt>Payment terms</dt>
        <dd>{facts.terms.payment_days} days</dd>
      </dl>
      <h4>Orders</h4>
      {facts.orders.length === 0 ? (
        <p className="muted">No orders.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Order</th>
              <th>Date</th>
              <th>Status</th>
              <th className="num">Total</th>
            </tr>
          </thead>
          <tbody>
            {facts.orders.map((o) => (
              <tr key={o.id}>
                <td className="mono">{orderRef(o)}</td>
                <td>{o.date}</td>
                <td>
                  {statusLabel(o.status)}
                  {o.hold_reason !== null && <span className="muted"> — {o.hold_reason}</span>}
                </td>
                <td className="num">{formatMoney(o.totals.total, o.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Shipments</h4>
      {facts.deliveries.length === 0 ? (
        <p className="muted">No shipments.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Shipment</th>
              <th>Order</th>
              <th>Promised</th>
              <th>Shipped</th>
              <th>Tracking</th>
            </tr>
          </thead>
          <tbody>
            {facts.deliveries.map((d) => {
              const timing = deliveryTiming(d.promised, d.date);
              return (
                <tr key={d.id}>
                  <td className="mono">{d.number}</td>
                  <td className="mono">{d.order_number}</td>
                  <td>{d.promised ?? '—'}</td>
                  <td className={timing === 'late' ? 'warn-text' : undefined}>
                    {d.date}
                    {timing === 'late' && ' (late)'}
                  </td>
                  <td>
                    {d.carrier ?? ''} <span className="mono">{d.tracking ?? '—'}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h4>Invoices</h4>
      {facts.invoices.length === 0 ? (
        <p className="muted">No invoices.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Invoice</th>
              <th>Date</th>
              <th>Due</th>
              <th className="num">Total</th>
              <th className="num">Open</th>
            </tr>
          </thead>
          <tbody>
            {facts.invoices.map((inv) => (
              <tr key={inv.id}>
                <td className="mono">
                  {inv.kind === 'credit_note' && `${invoiceKindLabel(inv.kind)} `}
                  {invoiceRef(inv)}
                </td>
                <td>{inv.date}</td>
                <td>{inv.due}</td>
                <td className="num">{formatMoney(inv.totals.total, inv.currency)}</td>
                <td className={signOf(inv.residual) === 0 ? 'num muted' : 'num'}>{formatMoney(inv.residual, inv.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
