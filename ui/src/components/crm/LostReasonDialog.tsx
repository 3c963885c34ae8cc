import { useState, type SubmitEvent } from 'react';
import type { AppError } from '../../backend';
import { splitErrors, toAppError } from '../../lib/errors';
import { Field } from '../Field';
import { Modal } from '../Modal';

interface LostReasonDialogProps {
  dealName: string;
  stage: string;
  /** Sends the move; rejects with the backend's error, which the dialog shows. */
  onSubmit: (reason: string) => Promise<void>;
  /** Cancel: the deal stays where it was. */
  onCancel: () => void;
}

/** Asks why a deal was lost before it moves to a lost stage. */
export function LostReasonDialog({ dealName, stage, onSubmit, onCancel }: LostReasonDialogProps) {
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    onSubmit(reason).catch((err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors(error, ['lostReason'] as const);

  return (
    <Modal title={`Move “${dealName}” to ${stage}`} titleId="lost-reason-title" onClose={onCancel}>
      <form id="lost-reason-dialog" className="form" onSubmit={submit} noValidate>
        <Field
          id="lost-reason"
          label="Why was it lost?"
          placeholder="e.g. price, went with a competitor"
          value={reason}
          onChange={setReason}
          error={byField.lostReason}
          autoFocus
        />
        {general !== null && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="form-actions">
          <button id="lost-reason-cancel" type="button" className="button" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
          <button id="lost-reason-save" type="submit" className="button button--danger" disabled={saving || reason.trim() === ''}>
            {saving ? 'Moving…' : `Move to ${stage}`}
          </button>
        </div>
      </form>
    </Modal>
  );
}
