import { useState, type SubmitEvent } from 'react';
import type { AccountRow, AppError } from '../backend';
import { useBackend } from '../BackendContext';
import { splitErrors, toAppError, type SplitErrors } from '../lib/errors';
import {
  ACCOUNT_FIELDS,
  accountCreateInput,
  accountFormValues,
  accountPatch,
  fieldSlug,
  isEmptyPatch,
  type AccountField,
} from '../lib/form';
import { Field } from './Field';

const LABEL: Record<AccountField, string> = {
  name: 'Name',
  vatId: 'VAT id',
  email: 'E-mail',
  phone: 'Phone',
  city: 'City',
  territory: 'Territory',
};

const INPUT_TYPE: Partial<Record<AccountField, string>> = { email: 'email', phone: 'tel' };

interface AccountFormProps {
  /** The account to edit; null to create one. */
  account: AccountRow | null;
  onSaved: (account: AccountRow) => void;
  onCancel: () => void;
}

/**
 * Create or edit an account. The backend validates; its field errors appear under the fields
 * and the user's input stays. An edit sends only the fields that changed.
 */
export function AccountForm({ account, onSaved, onCancel }: AccountFormProps) {
  const backend = useBackend();
  const [original] = useState(() => accountFormValues(account));
  const [values, setValues] = useState(original);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    let save: Promise<AccountRow>;
    if (account === null) {
      save = backend.createAccount(accountCreateInput(values));
    } else {
      const patch = accountPatch(original, values);
      if (isEmptyPatch(patch)) {
        onSaved(account);
        return;
      }
      save = backend.updateAccount(account.id, patch);
    }
    setSaving(true);
    setError(null);
    save.then(onSaved, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };

  const { byField, general }: SplitErrors<AccountField> =
    error === null ? { byField: {}, general: null } : splitErrors(error, ACCOUNT_FIELDS);

  return (
    <form className="form account-form" onSubmit={submit} noValidate aria-labelledby="account-form-title">
      <h2 id="account-form-title">{account === null ? 'New account' : `Edit ${account.name}`}</h2>
      {ACCOUNT_FIELDS.map((field, i) => (
        <Field
          key={field}
          id={`account-${fieldSlug(field)}`}
          label={LABEL[field]}
          type={INPUT_TYPE[field] ?? 'text'}
          required={field === 'name'}
          autoFocus={i === 0}
          value={values[field]}
          onChange={(value) => {
            setValues((v) => ({ ...v, [field]: value }));
          }}
          error={byField[field]}
        />
      ))}
      {general !== null && (
        <p className="form-error" role="alert">
          {general}
        </p>
      )}
      <div className="form-actions">
        <button id="account-cancel" type="button" className="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button id="account-save" type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
