import { useCallback, useState } from 'react';
import type { OrderDetail } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { useServerStep } from '../../hooks/useServerStep';
import { chosenLines, deliveryTiming, invoiceRef, orderActions, orderRef, pendingStepLabel, statusLabel } from '../../lib/erp';
import { toAppError } from '../../lib/errors';
import { formatMoney, formatPercent, formatQty, signOf } from '../../lib/money';
import { StepNotice } from './StepNotice';
import { TotalsTable } from './TotalsTable';

interface OrderDetailViewProps {
  id: string;
  version: number;
  onChanged: () => void;
  onOpenInvoice: (id: string) => void;
}

type Form = { kind: 'none' } | { kind: 'cancel'; reason: string } | { kind: 'deliver'; chosen: Record<string, string>; carrier: string; tracking: string };

function DeliverForm({
  order,
  form,
  onChange,
  onSubmit,
  onClose,
  busy,
}: {
  order: OrderDetail;
  form: Extract<Form, { kind: 'deliver' }>;
  onChange: (form: Form) => void;
  onSubmit: () => void;
  onClose: () => void;
  busy: boolean;
}) {
  return (
    <form
      id="deliver-form"
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <p className="muted">Leave every quantity blank to deliver everything ready, or type the quantities to ship.</p>
      <table className="data-table">
        <thead>
          <tr>
            <th>SKU</th>
            <th className="num">Reserved</th>
            <th className="num">Delivered</th>
            <th className="num">Ship now</th>
          </tr>
        </thead>
        <tbody>
          {order.lines
            .filter((l) => l.kind !== 'service')
            .map((l) => (
              <tr key={l.id}>
                <td className="mono">{l.sku}</td>
                <td className="num">{formatQty(l.reserved)}</td>
                <td className="num">
                  {formatQty(l.delivered)} / {formatQty(l.qty)}
                </td>
                <td className="num">
                  <input
                    className="qty-input"
                    inputMode="decimal"
                    aria-label={`Quantity of ${l.sku} to ship`}
                    value={form.chosen[l.sku] ?? ''}
                    onChange={(e) => {
                      onChange({ ...form, chosen: { ...form.chosen, [l.sku]: e.target.value } });
                    }}
                  />
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      <div className="form-grid">
        <label className="field">
          <span>Carrier</span>
          <input
            id="deliver-carrier"
            value={form.carrier}
            onChange={(e) => {
              onChange({ ...form, carrier: e.target.value });
            }}
          />
        </label>
        <label className="field">
          <span>Tracking</span>
          <input
            id="deliver-tracking"
            value={form.tracking}
            onChange={(e) => {
              onChange({ ...form, tracking: e.target.value });
            }}
          />
        </label>
      </div>
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button id="deliver-send" type="submit" className="button button--primary" disabled={busy}>
          Deliver
        </button>
      </div>
    </form>
  );
}

/** One order with its lines, totals, deliveries and invoices; the actions its status allows. */
export function OrderDetailView({ id, version, onChanged, onOpenInvoice }: OrderDetailViewProps) {
  const backend = useBackend();
  const load = useCallback(() => backend.erpOrder(id), [backend, id]);
  const { data: order, error } = useLoaded(load, version);
  const { step, run, busy } = useServerStep(onChanged);
  const [form, setForm] = useState<Form>({ kind: 'none' });
  const [what, setWhat] = useState('The change');
  const [invoiceError, setInvoiceError] = useState<string | null>(null);

  if (error !== null) {
    return (
      <div className="detail-empty" role="alert">
        {error.code === 'not_found' ? 'This order no longer exists.' : error.message}
      </div>
    );
  }
  if (order === null) {
    return <div className="detail-empty muted">Loading…</div>;
  }
  const actions = orderActions(order.status, order.pending);
  const send = (label: string, call: () => Promise<number>) => {
    setWhat(label);
    setForm({ kind: 'none' });
    run(call);
  };
  const createInvoice = () => {
    setInvoiceError(null);
    backend.erpCreateInvoice(order.id).then(
      (invoiceId) => {
        onChanged();
        onOpenInvoice(invoiceId);
      },
      (err: unknown) => {
        setInvoiceError(toAppError(err).message);
      },
    );
  };

  return (
    <article id="order-detail" data-id={order.id} className="detail detail--wide" aria-labelledby="order-title">
      <header className="detail-header">
        <div>
          <h2 id="order-title">
            {orderRef(order)}
            <span className={`status-badge status-badge--${order.status}`}>{statusLabel(order.status)}</span>
            {order.pending.length > 0 && (
              <span className="pending-badge" title={order.pending.join(', ')}>
                Queued: {order.pending.map(pendingStepLabel).join(', ')}
              </span>
            )}
          </h2>
          <p className="muted">
            {order.customer_name} · {order.date} · {order.warehouse} · {order.currency}
          </p>
        </div>
        <div className="detail-actions">
          {actions.includes('confirm') && (
            <button
              id="order-confirm"
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => {
                send('The confirmation', () => backend.erpConfirmOrder(order.id));
              }}
            >
              Confirm
            </button>
          )}
          {actions.includes('release') && (
            <button
              id="order-release"
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => {
                send('The release', () => backend.erpReleaseOrder(order.id));
              }}
            >
              Release
            </button>
          )}
          {actions.includes('deliver') && (
            <button
              id="order-deliver"
              type="button"
              className="button"
              disabled={busy}
              onClick={() => {
                setForm({ kind: 'deliver', chosen: {}, carrier: '', tracking: '' });
              }}
            >
              Deliver…
            </button>
          )}
          {actions.includes('invoice') && (
            <button id="order-invoice" type="button" className="button" disabled={busy} onClick={createInvoice}>
              Create invoice
            </button>
          )}
          {actions.includes('cancel') && (
            <button
              id="order-cancel"
              type="button"
              className="button button--danger-quiet"
              disabled={busy}
              onClick={() => {
                setForm({ kind: 'cancel', reason: '' });
              }}
            >
              Cancel order…
            </button>
          )}
        </div>
      </header>
      <StepNotice id="order-outcome" step={step} what={what} />
      {invoiceError !== null && (
        <p className="form-error" role="alert">
          {invoiceError}
        </p>
      )}
      {order.hold_reason !== null && (
        <div id="order-hold" className="notice notice--warn" role="status">
          <strong>On hold:</strong> {order.hold_reason}
        </div>
      )}
      {order.cancel_reason !== null && (
        <div className="notice" role="status">
          <strong>Cancelled:</strong> {order.cancel_reason}
        </div>
      )}
      {form.kind === 'cancel' && (
        <form
          id="cancel-form"
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            send('The cancellation', () => backend.erpCancelOrder(order.id, form.reason));
          }}
        >
          <label className="field">
            <span>Reason for cancelling</span>
            <input
              id="cancel-reason"
              autoFocus
              value={form.reason}
              onChange={(e) => {
                setForm({ kind: 'cancel', reason: e.target.value });
              }}
            />
          </label>
          <div className="form-actions">
            <button
              type="button"
              className="button"
              onClick={() => {
                setForm({ kind: 'none' });
              }}
            >
              Keep order
            </button>
            <button id="cancel-send" type="submit" className="button button--danger" disabled={busy}>
              Cancel order
            </button>
          </div>
        </form>
      )}
      {form.kind === 'deliver' && (
        <DeliverForm
          order={order}
          form={form}
          onChange={setForm}
          busy={busy}
          onClose={() => {
            setForm({ kind: 'none' });
          }}
          onSubmit={() => {
            const { chosen, carrier, tracking } = form;
            send('The delivery', () =>
              backend.erpDeliverOrder(order.id, {
                lines: chosenLines(chosen),
                carrier: carrier.trim() === '' ? null : carrier.trim(),
                tracking: tracking.trim() === '' ? null : tracking.trim(),
              }),
            );
          }}
        />
      )}
      <h3>Lines</h3>
      <table id="order-lines-table" className="data-table">
        <thead>
          <tr>
            <th>SKU</th>
            <th>Product</th>
            <th className="num">Qty</th>
            <th className="num">Unit price</th>
            <th className="num">Disc.</th>
            <th className="num">Net</th>
            <th className="num">Reserved</th>
            <th className="num">Back-order</th>
            <th className="num">Delivered</th>
            <th className="num">Invoiced</th>
            <th>Promised</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((l) => (
            <tr key={l.id}>
              <td className="mono">{l.sku}</td>
              <td>
                {l.name}
                {l.price_source.from === 'list' && <span className="muted"> · {l.price_source.name}</span>}
              </td>
              <td className="num">
                {formatQty(l.qty)} {l.unit}
              </td>
              <td className="num">{formatMoney(l.unit_price, order.currency)}</td>
              <td className="num">{formatPercent(l.discount)}</td>
              <td className="num">{formatMoney(l.net, order.currency)}</td>
              <td className="num">{formatQty(l.reserved)}</td>
              <td className={signOf(l.backorder) === 0 ? 'num' : 'num warn-text'}>{formatQty(l.backorder)}</td>
              <td className="num">{formatQty(l.delivered)}</td>
              <td className="num">{formatQty(l.invoiced)}</td>
              <td>
                {l.promise_date ?? '—'}
                {l.expected_date !== null && l.expected_date !== l.promise_date && <span className="muted"> (exp. {l.expected_date})</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <TotalsTable totals={order.totals} currency={order.currency} />
      <h3>Deliveries</h3>
      {order.deliveries.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Number</th>
              <th>Promised</th>
              <th>Shipped</th>
              <th>Carrier</th>
              <th>Tracking</th>
              <th>Lines</th>
            </tr>
          </thead>
          <tbody>
            {order.deliveries.map((d) => {
              const timing = deliveryTiming(d.promised, d.date);
              return (
                <tr key={d.id}>
                  <td className="mono">{d.number}</td>
                  <td>{d.promised ?? '—'}</td>
                  <td className={timing === 'late' ? 'warn-text' : undefined}>
                    {d.date}
                    {timing === 'late' && ' (late)'}
                  </td>
                  <td>{d.carrier ?? '—'}</td>
                  <td className="mono">{d.tracking ?? '—'}</td>
                  <td>{d.lines.map((l) => `${l.sku} × ${formatQty(l.qty)}`).join(', ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h3>Invoices</h3>
      {order.invoices.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Number</th>
              <th>Date</th>
              <th>Status</th>
              <th className="num">Total</th>
              <th className="num">Open</th>
            </tr>
          </thead>
          <tbody>
            {order.invoices.map((inv) => (
              <tr key={inv.id}>
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      onOpenInvoice(inv.id);
                    }}
                  >
                    {invoiceRef(inv)}
                  </button>
                </td>
                <td>{inv.date}</td>
                <td>{statusLabel(inv.status)}</td>
                <td className="num">{formatMoney(inv.totals.total, inv.currency)}</td>
                <td className="num">{formatMoney(inv.residual, inv.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
