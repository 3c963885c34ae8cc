import { useCallback, useState, type SubmitEvent } from 'react';
import type { AppError, Pipeline } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDebounced } from '../../hooks/useDebounced';
import { useLoaded } from '../../hooks/useLoaded';
import {
  DEAL_FIELDS,
  dealCreateInput,
  emptyDealForm,
  needsLostReason,
  probabilityLabel,
  type DealField,
  type DealFormValues,
} from '../../lib/crm';
import { splitErrors, toAppError } from '../../lib/errors';
import { useSession } from '../../SessionContext';
import { Field } from '../Field';
import { Modal } from '../Modal';

interface DealFormProps {
  pipeline: Pipeline;
  /** Preselected customer. */
  account?: string;
  onCreated: (id: string) => void;
  onCancel: () => void;
}

/** A new deal in `pipeline`: customer, name, amount and currency, expected close, stage, owner. */
export function DealForm({ pipeline, account: initialAccount, onCreated, onCancel }: DealFormProps) {
  const backend = useBackend();
  const session = useSession();
  const [values, setValues] = useState<DealFormValues>(() => emptyDealForm(pipeline, new Date(), initialAccount));
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search, 200);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const loadAccounts = useCallback(
    () => backend.listAccounts({ search: debounced, sort: 'name', dir: 'asc', after: null, limit: 100 }),
    [backend, debounced],
  );
  const accounts = useLoaded(loadAccounts, 0);
  const options = accounts.data?.items ?? [];

  const set = (field: DealField) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    backend.crmCreateDeal(values.account, null, pipeline.id, dealCreateInput(values)).then(onCreated, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors<DealField>(error, DEAL_FIELDS);
  const fieldErrors: Partial<Record<DealField, string>> = byField;

  return (
    <Modal title={`New deal in ${pipeline.name}`} titleId="deal-form-title" onClose={onCancel} wide>
      <form id="deal-form" className="form" onSubmit={submit} noValidate>
        <div className={fieldErrors.account === undefined ? 'field' : 'field field--invalid'}>
          <label htmlFor="deal-account">Customer</label>
          <input
            id="deal-account-search"
            type="search"
            placeholder="Search accounts"
            aria-label="Search accounts"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
            }}
          />
          <select
            id="deal-account"
            value={values.account}
            aria-invalid={fieldErrors.account !== undefined}
            onChange={(e) => {
              set('account')(e.target.value);
            }}
          >
            <option value="">— choose a customer —</option>
            {values.account !== '' && !options.some((a) => a.id === values.account) && (
              <option value={values.account}>{values.account}</option>
            )}
            {options.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
                {a.city === null ? '' : ` (${a.city})`}
              </option>
            ))}
          </select>
          {fieldErrors.account !== undefined && (
            <p id="deal-account-error" className="field-error">
              {fieldErrors.account}
            </p>
          )}
        </div>
        <Field id="deal-name" label="Deal name" value={values.name} onChange={set('name')} error={fieldErrors.name} />
        <div className="form-grid">
          <Field
            id="deal-amount"
            label="Amount"
            inputMode="decimal"
            placeholder="0.00"
            value={values.amount}
            onChange={set('amount')}
            error={fieldErrors.amount}
          />
          <Field
            id="deal-currency"
            label="Currency"
            placeholder="Company currency"
            maxLength={3}
            value={values.currency}
            onChange={set('currency')}
            error={fieldErrors.currency}
          />
          <Field
            id="deal-expected-close"
            label="Expected close"
            type="date"
            value={values.expectedClose}
            onChange={set('expectedClose')}
            error={fieldErrors.expectedClose}
          />
        </div>
        <div className="form-grid">
          <div className={fieldErrors.stage === undefined ? 'field' : 'field field--invalid'}>
            <label htmlFor="deal-stage">Stage</label>
            <select
              id="deal-stage"
              value={values.stage}
              aria-invalid={fieldErrors.stage !== undefined}
              onChange={(e) => {
                set('stage')(e.target.value);
              }}
            >
              {pipeline.stages.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name} ({probabilityLabel(s)})
                </option>
              ))}
            </select>
            {fieldErrors.stage !== undefined && (
              <p id="deal-stage-error" className="field-error">
                {fieldErrors.stage}
              </p>
            )}
          </div>
          <Field
            id="deal-owner"
            label="Owner"
            placeholder={session?.user ?? 'me'}
            value={values.owner}
            onChange={set('owner')}
            error={fieldErrors.owner}
          />
        </div>
        {needsLostReason(pipeline, values.stage) && (
          <Field
            id="deal-lost-reason"
            label="Why was it lost?"
            value={values.lostReason}
            onChange={set('lostReason')}
            error={fieldErrors.lostReason}
          />
        )}
        {general !== null && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
          <button id="deal-save" type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : 'Create deal'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
