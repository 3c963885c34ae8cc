import { useCallback } from 'react';
import type { Invoice } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDocPages } from '../../hooks/useDocPages';
import { invoiceKindLabel, invoiceRef, statusLabel } from '../../lib/erp';
import { formatMoney } from '../../lib/money';
import { DocList } from './DocList';
import { InvoiceDetailView } from './InvoiceDetailView';

interface InvoicesScreenProps {
  version: number;
  onChanged: () => void;
  /** Opens this invoice first (e.g. just created from an order). */
  selectedId: string | null;
  onSelect: (id: string) => void;
  onOpenOrder?: (id: string) => void;
}

function InvoiceRow({ invoice }: { invoice: Invoice }) {
  return (
    <>
      <div className="account-row-line">
        <span className="account-name">
          {invoice.kind === 'credit_note' && <span className="muted">{invoiceKindLabel(invoice.kind)} </span>}
          {invoiceRef(invoice)}
        </span>
        <span className={`status-badge status-badge--${invoice.status}`}>{statusLabel(invoice.status)}</span>
      </div>
      <div className="account-row-line muted">
        <span className="account-place">
          {invoice.customer_name} · {invoice.date} → {invoice.due}
        </span>
        <span className="num" title={`Open ${formatMoney(invoice.residual, invoice.currency)}`}>
          {formatMoney(invoice.totals.total, invoice.currency)}
          {invoice.status === 'posted' && ` · open ${formatMoney(invoice.residual, invoice.currency)}`}
        </span>
      </div>
    </>
  );
}

/** Invoices and credit notes: a key-paged list and the printable detail. */
export function InvoicesScreen({ version, onChanged, selectedId, onSelect, onOpenOrder }: InvoicesScreenProps) {
  const backend = useBackend();
  const fetchPage = useCallback((after: string | null, limit: number) => backend.erpInvoices({ account: null, after, limit }), [backend]);
  const pages = useDocPages(fetchPage);

  return (
    <main className="workspace">
      <aside className="sidebar no-print">
        <div className="sidebar-header">
          <h1>Invoices</h1>
        </div>
        <section className="list-pane" aria-label="Invoices">
          <DocList
            label="Invoices"
            testId="invoice-row"
            pages={pages}
            idOf={(inv) => inv.id}
            renderRow={(inv) => <InvoiceRow invoice={inv} />}
            selectedId={selectedId}
            onSelect={onSelect}
            version={version}
            emptyText="No invoices yet. Create one from an order."
          />
        </section>
      </aside>
      <section className="pane">
        {selectedId === null ? (
          <div className="detail-empty muted">Select an invoice.</div>
        ) : (
          <InvoiceDetailView
            key={selectedId}
            id={selectedId}
            version={version}
            onChanged={onChanged}
            onOpenInvoice={onSelect}
            onOpenOrder={onOpenOrder}
          />
        )}
      </section>
    </main>
  );
}
