import { useCallback, useState } from 'react';
import type { Invoice } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDocPages } from '../../hooks/useDocPages';
import { useServerStep } from '../../hooks/useServerStep';
import { canPostInvoices, invoiceKindLabel, invoiceRef, postDraftsQuestion, postDraftsWhat, statusLabel } from '../../lib/erp';
import { toAppError } from '../../lib/errors';
import { formatMoney } from '../../lib/money';
import { useSession } from '../../SessionContext';
import { DocList } from './DocList';
import { InvoiceDetailView } from './InvoiceDetailView';
import { StepNotice } from './StepNotice';

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

/**
 * "Post all drafts": counts the drafts, asks once more with that count, then posts exactly those
 * in one posting (all or none) and follows what the server answers.
 */
function usePostDrafts(onChanged: () => void) {
  const backend = useBackend();
  const { step, run, busy: posting } = useServerStep(onChanged);
  const [counting, setCounting] = useState(false);
  const [asking, setAsking] = useState<number | null>(null);
  const [what, setWhat] = useState('The posting');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const start = () => {
    setError(null);
    setNotice(null);
    setCounting(true);
    backend
      .erpDraftCount()
      .then(
        (count) => {
          if (count === 0) {
            setNotice('There are no draft invoices to post.');
          } else {
            setAsking(count);
          }
        },
        (e: unknown) => {
          setError(toAppError(e).message);
        },
      )
      .finally(() => {
        setCounting(false);
      });
  };

  const post = (count: number) => {
    setAsking(null);
    setWhat(postDraftsWhat(count));
    run(async () => {
      const posted = await backend.erpPostDrafts(count);
      if (posted.seq === null) {
        throw new Error('There are no draft invoices to post.');
      }
      return posted.seq;
    });
  };

  return {
    step,
    what,
    asking,
    notice,
    error,
    busy: counting || posting || asking !== null,
    start,
    post,
    keep: () => {
      setAsking(null);
    },
  };
}

/** Invoices and credit notes: a key-paged list and the printable detail. */
export function InvoicesScreen({ version, onChanged, selectedId, onSelect, onOpenOrder }: InvoicesScreenProps) {
  const backend = useBackend();
  const fetchPage = useCallback((after: string | null, limit: number) => backend.erpInvoices({ account: null, after, limit }), [backend]);
  const pages = useDocPages(fetchPage);
  const session = useSession();
  const mayPost = canPostInvoices(session?.role);
  const drafts = usePostDrafts(onChanged);
  const { asking } = drafts;
  const showToolbar = asking !== null || drafts.notice !== null || drafts.error !== null || drafts.step.phase !== 'idle';

  return (
    <main className="workspace">
      <aside className="sidebar no-print">
        <div className="sidebar-header">
          <h1>Invoices</h1>
          {mayPost && (
            <button
              id="invoices-post-drafts"
              type="button"
              className="button button--small"
              disabled={drafts.busy}
              onClick={drafts.start}
            >
              Post all drafts
            </button>
          )}
        </div>
        {mayPost && showToolbar && (
          <div className="list-toolbar">
            {asking !== null && (
              <span className="confirm" role="group" aria-label={postDraftsQuestion(asking)}>
                <span className="confirm-question">{postDraftsQuestion(asking)}</span>
                <button
                  id="invoices-post-drafts-confirm"
                  type="button"
                  className="button button--danger button--small"
                  onClick={() => {
                    drafts.post(asking);
                  }}
                >
                  Yes, post {asking}
                </button>
                <button type="button" className="button button--small" autoFocus onClick={drafts.keep}>
                  Keep drafts
                </button>
              </span>
            )}
            {drafts.notice !== null && (
              <p id="invoices-post-drafts-notice" className="notice" role="status">
                {drafts.notice}
              </p>
            )}
            {drafts.error !== null && (
              <p className="form-error" role="alert">
                {drafts.error}
              </p>
            )}
            <StepNotice id="invoices-post-drafts-outcome" step={drafts.step} what={drafts.what} />
          </div>
        )}
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
