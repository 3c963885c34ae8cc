import { useCallback, useState, type ReactNode, type SubmitEvent } from 'react';
import type { AppError, ConvertedLead, Lead } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useLoaded } from '../../../hooks/useLoaded';
import { isoDayAfter } from '../../../lib/crm';
import { splitErrors, toAppError } from '../../../lib/errors';
import { convertOptions, reasonText, type AccountPick, type ConvertFormValues } from '../../../lib/leads';
import { Field } from '../../Field';
import { Modal } from '../../Modal';

const DEAL_FIELDS = ['amount', 'currency', 'expectedClose'] as const;

interface ConvertLeadDialogProps {
  lead: Lead;
  /** The conversion happened (the lists read again). */
  onConverted: () => void;
  onOpenAccount: (id: string) => void;
  onClose: () => void;
}

function samePick(a: AccountPick | null, b: AccountPick): boolean {
  if (a === null) {
    return false;
  }
  return a === 'new' || b === 'new' ? a === b : a.account === b.account;
}

/**
 * Converts a lead into an account, a contact and (optionally) a deal, in one step. The
 * duplicate check comes first: the user converts into a matching account, or creates a new
 * one knowing about the matches.
 */
export function ConvertLeadDialog({ lead, onConverted, onOpenAccount, onClose }: ConvertLeadDialogProps) {
  const backend = useBackend();
  const loadDuplicates = useCallback(() => backend.crmLeadDuplicates(lead.id), [backend, lead.id]);
  const duplicates = useLoaded(loadDuplicates, 0);
  const loadPipelines = useCallback(() => backend.crmPipelines(), [backend]);
  const pipelines = useLoaded(loadPipelines, 0).data ?? [];
  const matches = duplicates.data ?? [];
  const accounts = matches.filter((m) => m.record.kind === 'account');
  const contacts = matches.filter((m) => m.record.kind === 'contact');
  const [values, setValues] = useState<Omit<ConvertFormValues, 'pick'>>(() => ({
    contactName: '',
    openDeal: true,
    dealName: lead.company,
    amount: '',
    currency: '',
    expectedClose: isoDayAfter(new Date(), 30),
    pipeline: '',
  }));
  // Nothing is picked while there are matches to look at; without any, a new account it is.
  const [chosen, setChosen] = useState<AccountPick | null>(null);
  const pick: AccountPick | null = chosen ?? (duplicates.data !== null && matches.length === 0 ? 'new' : null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<ConvertedLead | null>(null);

  const set = (field: keyof Omit<ConvertFormValues, 'pick' | 'openDeal'>) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (pick === null) {
      return;
    }
    setSaving(true);
    setError(null);
    backend.crmConvertLead(lead.id, convertOptions({ ...values, pick })).then(
      (converted) => {
        setSaving(false);
        setDone(converted);
        onConverted();
      },
      (err: unknown) => {
        setSaving(false);
        setError(toAppError(err));
      },
    );
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors(error, DEAL_FIELDS);

  if (done !== null) {
    const intoName = accounts.find((a) => a.record.id === done.account)?.name ?? lead.company;
    return (
      <Modal title={`“${lead.company}” is converted`} titleId="convert-title" onClose={onClose}>
        <div id="convert-result" className="form">
          <dl className="facts">
            <dt>Account</dt>
            <dd data-testid="converted-account">{intoName}</dd>
            <dt>Contact</dt>
            <dd data-testid="converted-contact">{values.contactName.trim() || (lead.person ?? '—')}</dd>
            <dt>Deal</dt>
            <dd data-testid="converted-deal">{done.deal === null ? 'none' : values.dealName.trim() || lead.company}</dd>
          </dl>
          <div className="form-actions">
            <button type="button" className="button" onClick={onClose}>
              Close
            </button>
            <button
              id="convert-open-account"
              type="button"
              className="button button--primary"
              onClick={() => {
                onOpenAccount(done.account);
              }}
            >
              Open the account
            </button>
          </div>
        </div>
      </Modal>
    );
  }

  const radio = (id: string, value: AccountPick, label: ReactNode, detail?: ReactNode) => (
    <label key={id} className="convert-choice" htmlFor={id}>
      <input
        id={id}
        type="radio"
        name="convert-account"
        checked={pick !== null && samePick(pick, value)}
        onChange={() => {
          setChosen(value);
        }}
      />
      <span>
        <span className="convert-choice-label">{label}</span>
        {detail !== undefined && <span className="muted convert-choice-detail">{detail}</span>}
      </span>
    </label>
  );

  return (
    <Modal title={`Convert “${lead.company}”`} titleId="convert-title" onClose={onClose} wide>
      <form id="convert-dialog" className="form" onSubmit={submit} noValidate>
        <fieldset className="convert-fieldset">
          <legend>Account</legend>
          {duplicates.error !== null && (
            <p className="form-error" role="alert">
              The duplicate check failed: {duplicates.error.message}
            </p>
          )}
          {duplicates.data === null && duplicates.error === null && <p className="muted">Looking for duplicates…</p>}
          {duplicates.data !== null && matches.length === 0 && (
            <p id="convert-no-duplicates" className="muted">
              No account or contact looks like this lead.
            </p>
          )}
          {matches.length > 0 && (
            <p id="convert-duplicates" className="notice notice--warn" role="status">
              {matches.length === 1 ? 'One record' : `${matches.length} records`} may already be this lead.
            </p>
          )}
          {accounts.map((m) =>
            radio(
              `convert-into-${m.record.id}`,
              { account: m.record.id },
              <>
                Convert into <strong>{m.name}</strong>
              </>,
              m.reasons.map(reasonText).join(', '),
            ),
          )}
          {contacts.length > 0 && (
            <ul className="convert-contacts" aria-label="Matching contacts">
              {contacts.map((m) => (
                <li key={m.record.id} data-testid="duplicate-contact">
                  Contact <strong>{m.name}</strong> <span className="muted">— {m.reasons.map(reasonText).join(', ')}</span>
                </li>
              ))}
            </ul>
          )}
          {radio(
            'convert-new',
            'new',
            'Create a new account',
            matches.length > 0 ? `“${lead.company}”, although it may be a duplicate` : `“${lead.company}”`,
          )}
        </fieldset>
        {lead.person === null && (
          <Field
            id="convert-contact-name"
            label="Contact name (the lead names no person)"
            value={values.contactName}
            onChange={set('contactName')}
          />
        )}
        <label className="checkbox" htmlFor="convert-open-deal">
          <input
            id="convert-open-deal"
            type="checkbox"
            checked={values.openDeal}
            onChange={(e) => {
              setValues((v) => ({ ...v, openDeal: e.target.checked }));
            }}
          />
          Open a deal
        </label>
        {values.openDeal && (
          <>
            <Field id="convert-deal-name" label="Deal name" value={values.dealName} onChange={set('dealName')} />
            <div className="form-grid">
              <Field
                id="convert-deal-amount"
                label="Amount"
                inputMode="decimal"
                placeholder="0.00"
                value={values.amount}
                onChange={set('amount')}
                error={byField.amount}
              />
              <Field
                id="convert-deal-currency"
                label="Currency"
                placeholder="Company currency"
                maxLength={3}
                value={values.currency}
                onChange={set('currency')}
                error={byField.currency}
              />
              <Field
                id="convert-deal-close"
                label="Expected close"
                type="date"
                value={values.expectedClose}
                onChange={set('expectedClose')}
                error={byField.expectedClose}
              />
            </div>
            {pipelines.length > 1 && (
              <div className="field">
                <label htmlFor="convert-pipeline">Pipeline</label>
                <select
                  id="convert-pipeline"
                  value={values.pipeline}
                  onChange={(e) => {
                    set('pipeline')(e.target.value);
                  }}
                >
                  <option value="">The standard pipeline</option>
                  {pipelines.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </>
        )}
        {general !== null && (
          <p id="convert-error" className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button id="convert-save" type="submit" className="button button--primary" disabled={saving || pick === null}>
            {saving ? 'Converting…' : 'Convert'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
