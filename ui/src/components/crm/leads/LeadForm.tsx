import { useState, type SubmitEvent } from 'react';
import type { AppError } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { splitErrors, toAppError, type SplitErrors } from '../../../lib/errors';
import { fieldSlug } from '../../../lib/form';
import { emptyLeadForm, LEAD_FIELDS, LEAD_SOURCES, leadCreateInput, sourceLabel, type LeadField } from '../../../lib/leads';
import { Field } from '../../Field';

const LABEL: Record<Exclude<LeadField, 'source'>, string> = {
  company: 'Company',
  person: 'Person',
  email: 'E-mail',
  phone: 'Phone',
  vatId: 'VAT id',
  city: 'City',
  territory: 'Territory',
};

const INPUT_TYPE: Partial<Record<LeadField, string>> = { email: 'email', phone: 'tel' };

interface LeadFormProps {
  onCreated: (id: string) => void;
  onCancel: () => void;
}

/** Captures a new lead. The backend validates; its field errors appear under the fields. */
export function LeadForm({ onCreated, onCancel }: LeadFormProps) {
  const backend = useBackend();
  const [values, setValues] = useState(emptyLeadForm);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const set = (field: LeadField) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    backend.crmCreateLead(leadCreateInput(values)).then(onCreated, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };

  const { byField, general }: SplitErrors<LeadField> =
    error === null ? { byField: {}, general: null } : splitErrors(error, LEAD_FIELDS);

  return (
    <form id="lead-form" className="form account-form lead-form" onSubmit={submit} noValidate aria-labelledby="lead-form-title">
      <h2 id="lead-form-title">New lead</h2>
      {LEAD_FIELDS.map((field, i) =>
        field === 'source' ? (
          <div key={field} className={byField.source === undefined ? 'field' : 'field field--invalid'}>
            <label htmlFor="lead-source">Source</label>
            <select
              id="lead-source"
              value={values.source}
              aria-invalid={byField.source !== undefined}
              onChange={(e) => {
                set('source')(e.target.value);
              }}
            >
              {LEAD_SOURCES.map((s) => (
                <option key={s} value={s}>
                  {sourceLabel(s)}
                </option>
              ))}
            </select>
            {byField.source !== undefined && (
              <p id="lead-source-error" className="field-error">
                {byField.source}
              </p>
            )}
          </div>
        ) : (
          <Field
            key={field}
            id={`lead-${fieldSlug(field)}`}
            label={LABEL[field]}
            type={INPUT_TYPE[field] ?? 'text'}
            required={field === 'company'}
            autoFocus={i === 0}
            value={values[field]}
            onChange={set(field)}
            error={byField[field]}
          />
        ),
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
        <button id="lead-save" type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Saving…' : 'Capture lead'}
        </button>
      </div>
    </form>
  );
}
