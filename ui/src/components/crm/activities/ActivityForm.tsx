import { useState, type SubmitEvent } from 'react';
import type { AppError, Deal } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import {
  ACTIVITY_FIELDS,
  ACTIVITY_KINDS,
  REMINDER_CHOICES,
  accountLinks,
  activityInput,
  emptyActivityForm,
  kindLabel,
  type ActivityField,
  type ActivityFormValues,
} from '../../../lib/activities';
import { splitErrors, toAppError } from '../../../lib/errors';
import { Field } from '../../Field';
import { Modal } from '../../Modal';

interface ActivityFormProps {
  account: string;
  /** The account's deals, to link the activity to one. */
  deals: Deal[];
  /** Preselected deal ('' = none). */
  deal?: string;
  onSaved: () => void;
  onCancel: () => void;
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message === undefined ? null : (
    <p id={`${id}-error`} className="field-error">
      {message}
    </p>
  );
}

/** "Log call / meeting / task / note": kind, subject, notes, due time, duration, reminder, deal. */
export function ActivityForm({ account, deals, deal = '', onSaved, onCancel }: ActivityFormProps) {
  const backend = useBackend();
  const [values, setValues] = useState<ActivityFormValues>(() => emptyActivityForm(new Date(), deal));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const set = (field: keyof ActivityFormValues) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    backend.crmAddActivity(accountLinks(account, values.deal), activityInput(values)).then(onSaved, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors<ActivityField>(error, ACTIVITY_FIELDS);
  const fieldErrors: Partial<Record<ActivityField, string>> = byField;
  const invalid = (f: ActivityField) => (fieldErrors[f] === undefined ? 'field' : 'field field--invalid');

  return (
    <Modal title="Log an activity" titleId="activity-form-title" onClose={onCancel} wide>
      <form id="activity-form" className="form" onSubmit={submit} noValidate>
        <div className="form-grid">
          <div className={invalid('kind')}>
            <label htmlFor="activity-kind">Kind</label>
            <select
              id="activity-kind"
              value={values.kind}
              onChange={(e) => {
                const kind = ACTIVITY_KINDS.find((k) => k === e.target.value);
                if (kind !== undefined) {
                  setValues((v) => ({ ...v, kind }));
                }
              }}
            >
              {ACTIVITY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {kindLabel(k)}
                </option>
              ))}
            </select>
            <FieldError id="activity-kind" message={fieldErrors.kind} />
          </div>
          <div className={invalid('deal')}>
            <label htmlFor="activity-deal">Deal (optional)</label>
            <select
              id="activity-deal"
              value={values.deal}
              onChange={(e) => {
                set('deal')(e.target.value);
              }}
            >
              <option value="">— none —</option>
              {deals.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
            <FieldError id="activity-deal" message={fieldErrors.deal} />
          </div>
        </div>
        <Field id="activity-subject" label="Subject" value={values.subject} onChange={set('subject')} error={fieldErrors.subject} />
        <div className={invalid('body')}>
          <label htmlFor="activity-body">Notes (optional)</label>
          <textarea
            id="activity-body"
            rows={4}
            value={values.body}
            onChange={(e) => {
              set('body')(e.target.value);
            }}
          />
          <FieldError id="activity-body" message={fieldErrors.body} />
        </div>
        <div className="form-grid">
          <Field
            id="activity-due"
            label="Due"
            type="datetime-local"
            value={values.due}
            onChange={set('due')}
            error={fieldErrors.due}
          />
          <Field
            id="activity-duration"
            label="Duration (minutes)"
            inputMode="numeric"
            placeholder="30"
            value={values.durationMinutes}
            onChange={set('durationMinutes')}
            error={fieldErrors.durationMinutes}
          />
          <div className={invalid('reminder')}>
            <label htmlFor="activity-reminder">Reminder</label>
            <select
              id="activity-reminder"
              value={values.reminder}
              onChange={(e) => {
                set('reminder')(e.target.value);
              }}
            >
              {REMINDER_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
            <FieldError id="activity-reminder" message={fieldErrors.reminder} />
          </div>
        </div>
        {general !== null && (
          <p id="activity-form-error" className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
          <button id="activity-save" type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
