import { useCallback, useEffect, useRef, useState } from 'react';
import type { Deal } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useDocPages } from '../../../hooks/useDocPages';
import { formatMoney } from '../../../lib/money';
import { quoteRef, quoteStatusLabel } from '../../../lib/quotes';
import { QuoteDetail } from './QuoteDetail';
import { QuoteForm } from './QuoteForm';

interface AccountQuotesProps {
  account: string;
  deals: Deal[];
  version: number;
  onChanged: () => void;
  onOpenOrder?: (id: string) => void;
}

/** The account's quotes (key-paged from the device), a "New quote" form, and one quote opened. */
export function AccountQuotes({ account, deals, version, onChanged, onOpenOrder }: AccountQuotesProps) {
  const backend = useBackend();
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const fetchPage = useCallback((after: string | null, limit: number) => backend.crmQuotes({ account, after, limit }), [backend, account]);
  const { state, loadMore, reload } = useDocPages(fetchPage);
  const firstVersion = useRef(version);
  useEffect(() => {
    if (version !== firstVersion.current) {
      reload();
    }
  }, [version, reload]);

  if (open !== null) {
    return (
      <QuoteDetail
        key={open}
        id={open}
        deals={deals}
        version={version}
        onChanged={onChanged}
        onBack={() => {
          setOpen(null);
        }}
        onOpenOrder={onOpenOrder}
      />
    );
  }
  return (
    <section id="account-quotes" aria-labelledby="account-quotes-title">
      <div className="section-header">
        <h3 id="account-quotes-title">Quotes</h3>
        <button
          id="new-quote"
          type="button"
          className="button button--small button--primary"
          onClick={() => {
            setCreating(true);
          }}
        >
          New quote
        </button>
      </div>
      {state.error !== null && (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      )}
      {!state.loading && state.error === null && state.items.length === 0 && <p className="muted">No quotes for this customer yet.</p>}
      {state.items.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th>Quote</th>
              <th>Created</th>
              <th>Valid until</th>
              <th>Status</th>
              <th className="num">Total</th>
            </tr>
          </thead>
          <tbody>
            {state.items.map((q) => (
              <tr
                key={q.id}
                data-testid="quote-row"
                data-id={q.id}
                className="clickable-row"
                tabIndex={0}
                onClick={() => {
                  setOpen(q.id);
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    setOpen(q.id);
                  }
                }}
              >
                <td className="mono">{quoteRef(q)}</td>
                <td>{q.created}</td>
                <td>{q.valid_until}</td>
                <td>
                  <span className={`status-badge quote-status--${q.status}`}>{quoteStatusLabel(q.status)}</span>
                </td>
                <td className="num">{formatMoney(q.totals.total, q.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.next !== null && (
        <button type="button" className="button button--small" onClick={loadMore} disabled={state.loading}>
          {state.loading ? 'Loading…' : 'More quotes'}
        </button>
      )}
      {creating && (
        <QuoteForm
          account={account}
          deals={deals}
          onSaved={(id) => {
            setCreating(false);
            setOpen(id);
            onChanged();
          }}
          onCancel={() => {
            setCreating(false);
          }}
        />
      )}
    </section>
  );
}
