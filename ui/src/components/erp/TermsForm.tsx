import { useState, type SubmitEvent } from 'react';
import type { AppError, CustomerTerms } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useServerStep } from '../../hooks/useServerStep';
import { splitErrors } from '../../lib/errors';
import { Field } from '../Field';
import { StepNotice } from './StepNotice';

const TERMS_FIELDS = ['currency', 'creditLimit', 'creditPolicy', 'paymentDays', 'fiscalPosition', 'invoicePolicy', 'discount'] as const;
type TermsField = (typeof TERMS_FIELDS)[number];

interface TermsFormProps {
  terms: CustomerTerms;
  onChanged: () => void;
  onClose: () => void;
}

/** Edits a customer's commercial terms; the server decides (a queued step). */
export function TermsForm({ terms, onChanged, onClose }: TermsFormProps) {
  const backend = useBackend();
  const [values, setValues] = useState({
    currency: terms.currency,
    creditLimit: terms.credit_limit ?? '',
    creditPolicy: terms.credit_policy,
    paymentDays: String(terms.payment_days),
    fiscalPosition: terms.fiscal_position,
    invoicePolicy: terms.invoice_policy,
    discount: terms.discount ?? '',
  });
  const [error, setError] = useState<AppError | null>(null);
  const { step, run, busy } = useServerStep(onChanged);
  const set = (field: TermsField) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    const days = Number.parseInt(values.paymentDays, 10);
    run(
      () =>
        backend.erpSetTerms({
          account: terms.account,
          currency: values.currency.trim(),
          credit_limit: values.creditLimit.trim() === '' ? null : values.creditLimit.trim(),
          credit_policy: values.creditPolicy,
          payment_days: Number.isNaN(days) ? terms.payment_days : days,
          fiscal_position: values.fiscalPosition,
          invoice_policy: values.invoicePolicy,
          discount: values.discount.trim() === '' ? null : values.discount.trim(),
        }),
      setError,
    );
  };
  const { byField } = error === null ? { byField: {} } : splitErrors<TermsField>(error, TERMS_FIELDS);
  const fieldErrors: Partial<Record<TermsField, string>> = byField;

  return (
    <form id="terms-form" className="inline-form" onSubmit={submit} noValidate aria-label="Customer terms">
      <div className="form-grid">
        <Field id="terms-currency" label="Currency" value={values.currency} onChange={set('currency')} error={fieldErrors.currency} />
        <Field
          id="terms-credit-limit"
          label="Credit limit (blank = none)"
          inputMode="decimal"
          value={values.creditLimit}
          onChange={set('creditLimit')}
          error={fieldErrors.creditLimit}
        />
        <Field
          id="terms-payment-days"
          label="Payment days"
          inputMode="numeric"
          value={values.paymentDays}
          onChange={set('paymentDays')}
          error={fieldErrors.paymentDays}
        />
        <Field
          id="terms-discount"
          label="Discount % (optional)"
          inputMode="decimal"
          value={values.discount}
          onChange={set('discount')}
          error={fieldErrors.discount}
        />
        <label className="field">
          <span>Over the limit</span>
          <select
            id="terms-credit-policy"
            value={values.creditPolicy}
            onChange={(e) => {
              set('creditPolicy')(e.target.value);
            }}
          >
            <option value="refuse">Refuse the order</option>
            <option value="hold">Put the order on hold</option>
          </select>
        </label>
        <label className="field">
          <span>Invoice</span>
          <select
            id="terms-invoice-policy"
            value={values.invoicePolicy}
            onChange={(e) => {
              set('invoicePolicy')(e.target.value);
            }}
          >
            <option value="delivered">What was delivered</option>
            <option value="ordered">What was ordered</option>
          </select>
        </label>
        <label className="field">
          <span>Fiscal position</span>
          <select
            id="terms-fiscal-position"
            value={values.fiscalPosition}
            onChange={(e) => {
              set('fiscalPosition')(e.target.value);
            }}
          >
            <option value="domestic">Domestic</option>
            <option value="reverse_charge">Reverse charge</option>
            <option value="export">Export</option>
          </select>
        </label>
      </div>
      <StepNotice id="terms-outcome" step={step} what="The new terms" />
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button id="terms-save" type="submit" className="button button--primary" disabled={busy}>
          Save terms
        </button>
      </div>
    </form>
  );
}
