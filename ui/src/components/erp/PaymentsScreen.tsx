import { useCallback, useState, type SubmitEvent } from 'react';
import type { AppError, Payment } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDocPages } from '../../hooks/useDocPages';
import { useServerStep } from '../../hooks/useServerStep';
import { splitErrors } from '../../lib/errors';
import { formatMoney, signOf, subtractDecimals } from '../../lib/money';
import { Field } from '../Field';
import { DocList } from './DocList';
import { StepNotice } from './StepNotice';

const PAYMENT_FIELDS = ['account', 'amount', 'currency', 'invoice'] as const;
type PaymentField = (typeof PAYMENT_FIELDS)[number];

function PaymentRow({ payment }: { payment: Payment }) {
  return (
    <>
      <div className="account-row-line">
        <span className="account-name">
          {payment.number}
          {payment.kind === 'refund' && <span className="muted"> (refund)</span>}
        </span>
        <span className="num">{formatMoney(payment.amount, payment.currency)}</span>
      </div>
      <div className="account-row-line muted">
        <span className="account-place">
          {payment.date} · {payment.customer_name}
        </span>
        {signOf(payment.unallocated) !== 0 && <span>unallocated {formatMoney(payment.unallocated, payment.currency)}</span>}
      </div>
    </>
  );
}

function PaymentDetail({ payment }: { payment: Payment }) {
  return (
    <article id="payment-detail" className="detail" data-id={payment.id}>
      <header className="detail-header">
        <div>
          <h2>
            {payment.kind === 'refund' ? 'Refund' : 'Receipt'} {payment.number}
          </h2>
          <p className="muted">
            {payment.customer_name} · {payment.date}
          </p>
        </div>
      </header>
      <dl className="facts">
        <dt>Amount</dt>
        <dd>{formatMoney(payment.amount, payment.currency)}</dd>
        <dt>Unallocated</dt>
        <dd>{formatMoney(payment.unallocated, payment.currency)}</dd>
        {signOf(subtractDecimals(payment.rate, '1')) !== 0 && (
          <>
            <dt>Rate</dt>
            <dd>{payment.rate}</dd>
          </>
        )}
      </dl>
      <h3>Allocations</h3>
      {payment.allocations.length === 0 ? (
        <p className="muted">Not allocated to an invoice.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Invoice</th>
              <th className="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {payment.allocations.map((a) => (
              <tr key={a.invoice}>
                <td className="mono">{a.reference}</td>
                <td className="num">{formatMoney(a.amount, payment.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function RecordPaymentForm({ onChanged, onClose }: { onChanged: () => void; onClose: () => void }) {
  const backend = useBackend();
  const [values, setValues] = useState<Record<PaymentField, string>>({ account: '', amount: '', currency: 'EUR', invoice: '' });
  const [error, setError] = useState<AppError | null>(null);
  const { step, run, busy } = useServerStep(onChanged);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    const { account, amount, currency, invoice } = values;
    run(
      () =>
        backend.erpRecordPayment({
          account: account.trim(),
          amount: amount.trim(),
          currency: currency.trim(),
          invoice: invoice.trim() === '' ? null : invoice.trim(),
        }),
      setError,
    );
  };
  const { byField } = error === null ? { byField: {} } : splitErrors<PaymentField>(error, PAYMENT_FIELDS);
  const fieldErrors: Partial<Record<PaymentField, string>> = byField;
  const field = (name: PaymentField, label: string, extra: { inputMode?: 'decimal' } = {}) => (
    <Field
      id={`payment-${name}`}
      label={label}
      {...extra}
      value={values[name]}
      onChange={(value) => {
        setValues((v) => ({ ...v, [name]: value }));
      }}
      error={fieldErrors[name]}
    />
  );

  return (
    <form id="payment-form" className="form erp-form" onSubmit={submit} noValidate aria-labelledby="payment-form-title">
      <h2 id="payment-form-title">Record payment</h2>
      {field('account', 'Account id')}
      <div className="form-grid">
        {field('amount', 'Amount', { inputMode: 'decimal' })}
        {field('currency', 'Currency')}
      </div>
      {field('invoice', 'Invoice id (optional; otherwise the oldest open invoices)')}
      <StepNotice id="payment-outcome" step={step} what="The payment" />
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button id="payment-save" type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Sending…' : 'Record'}
        </button>
      </div>
    </form>
  );
}

type Pane = { kind: 'empty' } | { kind: 'view'; id: string } | { kind: 'create' };

/** Customer payments: a key-paged list and a form to record one (the server decides). */
export function PaymentsScreen({ version, onChanged }: { version: number; onChanged: () => void }) {
  const backend = useBackend();
  const [pane, setPane] = useState<Pane>({ kind: 'empty' });
  const fetchPage = useCallback((after: string | null, limit: number) => backend.erpPayments({ account: null, after, limit }), [backend]);
  const pages = useDocPages(fetchPage);
  const selected = pane.kind === 'view' ? pages.state.items.find((p) => p.id === pane.id) : undefined;

  return (
    <main className="workspace">
      <aside className="sidebar">
        <div className="sidebar-header">
          <h1>Payments</h1>
          <button
            id="new-payment"
            type="button"
            className="button button--primary button--small"
            onClick={() => {
              setPane({ kind: 'create' });
            }}
          >
            Record payment
          </button>
        </div>
        <section className="list-pane" aria-label="Payments">
          <DocList
            label="Payments"
            testId="payment-row"
            pages={pages}
            idOf={(p) => p.id}
            renderRow={(p) => <PaymentRow payment={p} />}
            selectedId={pane.kind === 'view' ? pane.id : null}
            onSelect={(id) => {
              setPane({ kind: 'view', id });
            }}
            version={version}
            emptyText="No payments yet."
          />
        </section>
      </aside>
      <section className="pane">
        {pane.kind === 'empty' && <div className="detail-empty muted">Select a payment, or record one.</div>}
        {pane.kind === 'view' && selected !== undefined && <PaymentDetail payment={selected} />}
        {pane.kind === 'create' && (
          <RecordPaymentForm
            onChanged={onChanged}
            onClose={() => {
              setPane({ kind: 'empty' });
            }}
          />
        )}
      </section>
    </main>
  );
}
