import { useState, type SubmitEvent } from 'react';
import type { AppError } from '../../backend';
import { useBackend } from '../../BackendContext';
import { splitErrors, toAppError } from '../../lib/errors';
import { Field } from '../Field';
import { Modal } from '../Modal';

/** A new pipeline with the standard stages (Qualify 10 %, Propose 40 %, Negotiate 70 %, Won, Lost). */
export function PipelineDialog({ onCreated, onCancel }: { onCreated: (id: string) => void; onCancel: () => void }) {
  const backend = useBackend();
  const [name, setName] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    backend.crmCreatePipeline(name).then(onCreated, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors(error, ['name'] as const);

  return (
    <Modal title="New pipeline" titleId="pipeline-form-title" onClose={onCancel}>
      <form id="pipeline-form" className="form" onSubmit={submit} noValidate>
        <Field id="pipeline-name" label="Name" value={name} onChange={setName} error={byField.name} autoFocus />
        <p className="muted">It starts with the standard stages: Qualify, Propose, Negotiate, Won and Lost.</p>
        {general !== null && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
          <button id="pipeline-save" type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : 'Create pipeline'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
