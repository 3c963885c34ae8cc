import { useCallback, useState, type SubmitEvent } from 'react';
import type { Deal, QuoteItem, QuoteStep } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useLoaded } from '../../../hooks/useLoaded';
import { toAppError } from '../../../lib/errors';
import { formatMoney, formatPercent, formatQty, signOf } from '../../../lib/money';
import { canRevise, quoteActions, quoteFigures, quoteRef, quoteStatusLabel, selectableOptions } from '../../../lib/quotes';
import { useSession } from '../../../SessionContext';
import { TotalsTable } from '../../erp/TotalsTable';
import { QuoteForm } from './QuoteForm';

interface QuoteDetailProps {
  id: string;
  deals: Deal[];
  version: number;
  onChanged: () => void;
  onBack: () => void;
  onOpenOrder?: (id: string) => void;
}

const STEP_LABEL: Record<QuoteStep, string> = {
  request_approval: 'Request approval',
  approve: 'Approve',
  refuse_approval: 'Refuse',
  send: 'Mark as sent',
  reject: 'Customer rejected',
};

/** The body class that limits printing to the quote (see styles.css). */
const PRINTING = 'printing-quote';

function ItemRow({
  item,
  currency,
  inBundle,
  optional,
  chosen,
  onChoose,
}: {
  item: QuoteItem;
  currency: string;
  inBundle: boolean;
  optional: boolean;
  /** Null: no checkbox (not choosable at acceptance). */
  chosen: boolean | null;
  onChoose: (on: boolean) => void;
}) {
  return (
    <tr className={inBundle ? 'quote-component' : undefined} data-testid="quote-item" data-sku={item.sku}>
      <td className="mono">{item.sku}</td>
      <td>
        {item.name}
        {optional && <span className="optional-badge">optional</span>}
        {chosen !== null && (
          <label className="choose-option no-print">
            <input
              type="checkbox"
              data-testid="quote-choose-option"
              checked={chosen}
              onChange={(e) => {
                onChoose(e.target.checked);
              }}
            />{' '}
            customer takes it
          </label>
        )}
      </td>
      <td className="num">{formatQty(item.qty)}</td>
      <td className="num">{formatMoney(item.unit_price, currency)}</td>
      <td className="num">{signOf(item.discount) === 0 ? '' : formatPercent(item.discount)}</td>
      <td className="num">{formatPercent(item.tax_rate)}</td>
      <td className={optional ? 'num muted' : 'num'}>{formatMoney(item.net, currency)}</td>
    </tr>
  );
}

/**
 * One quote as its printable document: lines (bundles with their components, optional lines
 * marked), totals, status and approval; the buttons its status and the user's role allow.
 */
export function QuoteDetail({ id, deals, version, onChanged, onBack, onOpenOrder }: QuoteDetailProps) {
  const backend = useBackend();
  const session = useSession();
  const load = useCallback(
    () => Promise.all([backend.crmQuote(id), backend.crmQuoteApprovalReasons(id)]).then(([quote, reasons]) => ({ quote, reasons })),
    [backend, id],
  );
  const { data, error } = useLoaded(load, version);
  const [busy, setBusy] = useState(false);
  const [stepError, setStepError] = useState<string | null>(null);
  const [refusing, setRefusing] = useState(false);
  const [refusal, setRefusal] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [revising, setRevising] = useState(false);
  const [acceptedOrder, setAcceptedOrder] = useState<string | null>(null);

  if (error !== null) {
    return (
      <div className="detail-empty" role="alert">
        {error.code === 'not_found' ? 'This quote no longer exists.' : error.message}
      </div>
    );
  }
  if (data === null) {
    return <div className="detail-empty muted">Loading…</div>;
  }
  const { quote, reasons } = data;
  const actions = quoteActions(quote.status, session?.role, reasons);
  const cur = quote.currency;
  const figures = quoteFigures(quote, chosen);
  const options = selectableOptions(quote);
  const acceptable = actions.includes('accept');
  const order = quote.order ?? acceptedOrder;

  const run = (work: () => Promise<unknown>) => {
    setBusy(true);
    setStepError(null);
    work().then(
      () => {
        setBusy(false);
        setRefusing(false);
        onChanged();
      },
      (err: unknown) => {
        setBusy(false);
        setStepError(toAppError(err).message);
      },
    );
  };
  const step = (s: QuoteStep, reason?: string) => {
    run(() => backend.crmQuoteStep(quote.id, s, reason ?? null));
  };
  const accept = () => {
    run(() =>
      backend.crmAcceptQuote(quote.id, chosen).then((orderId) => {
        setAcceptedOrder(orderId);
      }),
    );
  };
  const refuse = (e: SubmitEvent) => {
    e.preventDefault();
    step('refuse_approval', refusal);
  };
  const print = () => {
    document.body.classList.add(PRINTING);
    window.print();
    document.body.classList.remove(PRINTING);
  };
  const choose = (sku: string) => (on: boolean) => {
    setChosen((list) => (on ? [...list.filter((s) => s !== sku), sku] : list.filter((s) => s !== sku)));
  };
  const approval = quote.approval;
  const dealName = quote.deal === null ? null : (deals.find((d) => d.id === quote.deal)?.name ?? null);

  return (
    <article id="quote-detail" data-id={quote.id} className="quote-detail" aria-labelledby="quote-title">
      <header className="detail-header no-print">
        <div>
          <button id="quote-back" type="button" className="link-button" onClick={onBack}>
            ← All quotes
          </button>
          <h3 id="quote-title">
            Quote {quoteRef(quote)}
            <span id="quote-status" data-status={quote.status} className={`status-badge quote-status--${quote.status}`}>
              {quoteStatusLabel(quote.status)}
            </span>
          </h3>
          <p className="muted">
            Valid until {quote.valid_until} · priced {quote.priced_on}
            {dealName !== null && ` · deal ${dealName}`}
            {quote.sent_on !== null && ` · sent ${quote.sent_on}`}
          </p>
        </div>
        <div className="detail-actions">
          {actions.includes('request_approval') && (
            <button id="quote-request-approval" type="button" className="button button--primary" disabled={busy} onClick={() => { step('request_approval'); }}>
              {STEP_LABEL.request_approval}
            </button>
          )}
          {actions.includes('approve') && (
            <button id="quote-approve" type="button" className="button button--primary" disabled={busy} onClick={() => { step('approve'); }}>
              {STEP_LABEL.approve}
            </button>
          )}
          {actions.includes('refuse_approval') && (
            <button id="quote-refuse" type="button" className="button" disabled={busy} onClick={() => { setRefusing(true); }}>
              {STEP_LABEL.refuse_approval}
            </button>
          )}
          {actions.includes('send') && (
            <button id="quote-send" type="button" className="button button--primary" disabled={busy} onClick={() => { step('send'); }}>
              {STEP_LABEL.send}
            </button>
          )}
          {acceptable && (
            <button id="quote-accept" type="button" className="button" disabled={busy} onClick={accept}>
              Customer accepted
            </button>
          )}
          {actions.includes('reject') && (
            <button id="quote-reject" type="button" className="button" disabled={busy} onClick={() => { step('reject'); }}>
              {STEP_LABEL.reject}
            </button>
          )}
          {canRevise(quote.status) && (
            <button id="quote-revise" type="button" className="button" disabled={busy} onClick={() => { setRevising(true); }}>
              Revise
            </button>
          )}
          <button id="quote-print" type="button" className="button" onClick={print}>
            Print / Save as PDF
          </button>
        </div>
      </header>
      <div className="no-print">
        {reasons.length > 0 && (quote.status === 'draft' || quote.status === 'pending_approval') && (
          <div id="quote-needs-approval" className="notice notice--warn" role="status">
            <strong>{quote.status === 'draft' ? 'Needs approval' : 'Waiting for a sales manager'}:</strong>
            <ul>
              {reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </div>
        )}
        {approval !== null && (
          <dl id="quote-approval" className="facts quote-approval">
            <dt>Requested by</dt>
            <dd>
              {approval.requested_by}
              {approval.requested_at !== null && ` on ${approval.requested_at}`}
              {approval.reason !== null && <span className="muted"> — {approval.reason}</span>}
            </dd>
            {approval.granted_by !== null && (
              <>
                <dt>Approved by</dt>
                <dd id="quote-granted-by">
                  {approval.granted_by}
                  {approval.granted_at !== null && ` on ${approval.granted_at}`}
                </dd>
              </>
            )}
            {approval.refused_by !== null && (
              <>
                <dt>Refused by</dt>
                <dd>
                  {approval.refused_by}
                  {approval.refusal !== null && <span className="muted"> — {approval.refusal}</span>}
                </dd>
              </>
            )}
          </dl>
        )}
        {refusing && (
          <form className="inline-row-form" onSubmit={refuse} noValidate aria-label="Refuse the approval">
            <input
              id="quote-refuse-reason"
              aria-label="Why is the approval refused?"
              placeholder="Why is the approval refused?"
              value={refusal}
              onChange={(e) => {
                setRefusal(e.target.value);
              }}
            />
            <button id="quote-refuse-save" type="submit" className="button button--small button--primary" disabled={busy}>
              Refuse
            </button>
            <button type="button" className="button button--small" onClick={() => { setRefusing(false); }}>
              Cancel
            </button>
          </form>
        )}
        {stepError !== null && (
          <p id="quote-error" className="form-error" role="alert">
            {stepError}
          </p>
        )}
        {order !== null && (
          <div id="quote-order" className="notice notice--ok" role="status">
            Accepted: draft order <span className="mono">{order.slice(0, 8)}</span> was created.{' '}
            {onOpenOrder !== undefined && (
              <button
                id="quote-open-order"
                type="button"
                className="link-button"
                onClick={() => {
                  onOpenOrder(order);
                }}
              >
                Open the order
              </button>
            )}
          </div>
        )}
      </div>
      <section className="print-doc quote-print" aria-label="Printable quote">
        <header className="print-doc-header">
          <div>
            <h1 className="print-doc-title">Quote {quoteRef(quote)}</h1>
            {quote.number === null && <p className="warn-text">Draft — numbered when sent.</p>}
          </div>
          <dl className="print-doc-dates">
            <dt>Date</dt>
            <dd>{quote.priced_on}</dd>
            <dt>Valid until</dt>
            <dd>{quote.valid_until}</dd>
          </dl>
        </header>
        <div className="print-doc-customer">
          <span className="muted">For</span>
          <strong>{quote.customer_name}</strong>
        </div>
        <table id="quote-lines" className="data-table print-doc-lines">
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
            {quote.lines.map((l) =>
              l.type === 'item' ? (
                <ItemRow
                  key={l.id}
                  item={l}
                  currency={cur}
                  inBundle={false}
                  optional={l.optional}
                  chosen={l.optional && acceptable ? chosen.includes(l.sku) : null}
                  onChoose={choose(l.sku)}
                />
              ) : (
                [
                  <tr key={l.id} className="quote-bundle" data-testid="quote-bundle">
                    <td colSpan={2}>
                      <strong>{l.name}</strong>
                      {l.qty > 1 && ` × ${l.qty}`}
                      {l.optional && <span className="optional-badge">optional</span>}
                    </td>
                    <td colSpan={4} className="muted">
                      bundle of {l.components.length}
                    </td>
                    <td className={l.optional ? 'num muted' : 'num'}>{formatMoney(l.net, cur)}</td>
                  </tr>,
                  ...l.components.map((c) => (
                    <ItemRow key={c.id} item={c} currency={cur} inBundle optional={c.optional} chosen={null} onChoose={() => undefined} />
                  )),
                ]
              ),
            )}
          </tbody>
        </table>
        <div id="quote-totals">
          <TotalsTable totals={quote.totals} currency={cur} />
        </div>
        {figures.optionalCount > 0 && (
          <p className="print-doc-note" id="quote-optional-note">
            Optional, not in the total: {figures.optionalCount} {figures.optionalCount === 1 ? 'line' : 'lines'} worth{' '}
            {formatMoney(figures.optionalNet, cur)} net
            {options.length > 0 && signOf(figures.chosenNet) !== 0 && (
              <span className="no-print"> — ticked now: {formatMoney(figures.chosenNet, cur)} net on top</span>
            )}
            .
          </p>
        )}
        {signOf(quote.discount) !== 0 && <p className="print-doc-note">Quote discount {formatPercent(quote.discount)}.</p>}
      </section>
      {revising && (
        <QuoteForm
          account={quote.account}
          deals={deals}
          quote={quote}
          onSaved={() => {
            setRevising(false);
            onChanged();
          }}
          onCancel={() => {
            setRevising(false);
          }}
        />
      )}
    </article>
  );
}
