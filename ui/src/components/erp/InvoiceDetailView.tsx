import { useCallback, useState } from 'react';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { useServerStep } from '../../hooks/useServerStep';
import { invoiceActions, invoiceKindLabel, invoiceRef, statusLabel } from '../../lib/erp';
import { toAppError } from '../../lib/errors';
import { formatMoney, formatPercent, formatQty, signOf } from '../../lib/money';
import { StepNotice } from './StepNotice';
import { TotalsTable } from './TotalsTable';

interface InvoiceDetailViewProps {
  id: string;
  version: number;
  onChanged: () => void;
  onOpenInvoice: (id: string) => void;
  onOpenOrder?: (id: string) => void;
}

/**
 * One invoice or credit note, laid out as the printable document (a print stylesheet hides the
 * app around it); actions: post a draft, credit a posted invoice.
 */
export function InvoiceDetailView({ id, version, onChanged, onOpenInvoice, onOpenOrder }: InvoiceDetailViewProps) {
  const backend = useBackend();
  const load = useCallback(() => backend.erpInvoice(id), [backend, id]);
  const { data: invoice, error } = useLoaded(load, version);
  const { step, run, busy } = useServerStep(onChanged);
  const [creditError, setCreditError] = useState<string | null>(null);

  if (error !== null) {
    return (
      <div className="detail-empty" role="alert">
        {error.code === 'not_found' ? 'This invoice no longer exists.' : error.message}
      </div>
    );
  }
  if (invoice === null) {
    return <div className="detail-empty muted">Loading…</div>;
  }
  const actions = invoiceActions(invoice);
  const credit = () => {
    setCreditError(null);
    backend.erpCreditInvoice(invoice.id).then(
      (creditId) => {
        onChanged();
        onOpenInvoice(creditId);
      },
      (err: unknown) => {
        setCreditError(toAppError(err).message);
      },
    );
  };
  const cur = invoice.currency;

  return (
    <article id="invoice-detail" data-id={invoice.id} className="detail detail--wide" aria-labelledby="invoice-title">
      <header className="detail-header no-print">
        <div>
          <h2 id="invoice-title">
            {invoiceKindLabel(invoice.kind)} {invoiceRef(invoice)}
            <span className={`status-badge status-badge--${invoice.status}`}>{statusLabel(invoice.status)}</span>
          </h2>
          <p className="muted">
            {invoice.customer_name}
            {invoice.order !== null && invoice.order_number !== null && (
              <>
                {' · order '}
                {onOpenOrder === undefined ? (
                  invoice.order_number
                ) : (
                  <button
                    id="invoice-open-order"
                    type="button"
                    className="link-button"
                    onClick={() => {
                      if (invoice.order !== null) {
                        onOpenOrder(invoice.order);
                      }
                    }}
                  >
                    {invoice.order_number}
                  </button>
                )}
              </>
            )}
          </p>
        </div>
        <div className="detail-actions">
          {actions.includes('post') && (
            <button
              id="invoice-post"
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => {
                run(() => backend.erpPostInvoice(invoice.id));
              }}
            >
              Post
            </button>
          )}
          {actions.includes('credit') && (
            <button id="invoice-credit" type="button" className="button" disabled={busy} onClick={credit}>
              Credit note
            </button>
          )}
          <button
            id="invoice-print"
            type="button"
            className="button"
            onClick={() => {
              window.print();
            }}
          >
            Print / Save as PDF
          </button>
        </div>
      </header>
      <div className="no-print">
        <StepNotice id="invoice-outcome" step={step} what="Posting" />
        {creditError !== null && (
          <p className="form-error" role="alert">
            {creditError}
          </p>
        )}
      </div>
      <section className="print-doc" aria-label="Printable invoice">
        <header className="print-doc-header">
          <div>
            <h1 className="print-doc-title">
              {invoiceKindLabel(invoice.kind)} {invoiceRef(invoice)}
            </h1>
            {invoice.status === 'draft' && <p className="warn-text">Draft — not a valid invoice until posted.</p>}
          </div>
          <dl className="print-doc-dates">
            <dt>Date</dt>
            <dd>{invoice.date}</dd>
            <dt>Due</dt>
            <dd>{invoice.due}</dd>
            {invoice.order_number !== null && (
              <>
                <dt>Order</dt>
                <dd>{invoice.order_number}</dd>
              </>
            )}
            {invoice.credit_of !== null && (
              <>
                <dt>Credits</dt>
                <dd className="mono">{invoice.credit_of.slice(0, 8)}</dd>
              </>
            )}
          </dl>
        </header>
        <div className="print-doc-customer">
          <span className="muted">Bill to</span>
          <strong>{invoice.customer_name}</strong>
        </div>
        <table className="data-table print-doc-lines">
          <thead>
            <tr>
              <th>SKU</th>
              <th>Description</th>
              <th className="num">Qty</th>
              <th className="num">Unit price</th>
              <th className="num">Disc.</th>
              <th className="num">Tax</th>
              <th className="num">Net</th>
            </tr>
          </thead>
          <tbody>
            {invoice.lines.map((l, i) => (
              <tr key={`${l.order_line}-${i}`}>
                <td className="mono">{l.sku}</td>
                <td>{l.name}</td>
                <td className="num">{formatQty(l.qty)}</td>
                <td className="num">{formatMoney(l.unit_price, cur)}</td>
                <td className="num">{signOf(l.discount) === 0 ? '' : formatPercent(l.discount)}</td>
                <td className="num">{formatPercent(l.tax_rate)}</td>
                <td className="num">{formatMoney(l.net, cur)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <TotalsTable totals={invoice.totals} currency={cur} />
        {invoice.status === 'posted' && (
          <p className="print-doc-open">
            Open: <strong>{formatMoney(invoice.residual, cur)}</strong>
          </p>
        )}
        {invoice.fiscal_note !== null && invoice.fiscal_note !== '' && <p className="print-doc-note">{invoice.fiscal_note}</p>}
      </section>
    </article>
  );
}
