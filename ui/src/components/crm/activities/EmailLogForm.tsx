import { useState, type ChangeEvent, type SubmitEvent } from 'react';
import type { AppError, Deal } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { accountLinks, looksLikeEmail } from '../../../lib/activities';
import { toAppError } from '../../../lib/errors';
import { Modal } from '../../Modal';

interface EmailLogFormProps {
  account: string;
  deals: Deal[];
  deal?: string;
  onSaved: () => void;
  onCancel: () => void;
}

/** "Log e-mail": the raw source pasted, or an .eml file picked; stored as a done e-mail activity. */
export function EmailLogForm({ account, deals, deal: initialDeal = '', onSaved, onCancel }: EmailLogFormProps) {
  const backend = useBackend();
  const [source, setSource] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [deal, setDeal] = useState(initialDeal);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file === undefined) {
      return;
    }
    setError(null);
    file.text().then(
      (text) => {
        setSource(text);
        setFileName(file.name);
      },
      (err: unknown) => {
        setError(toAppError(err));
      },
    );
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    backend.crmLogEmail(accountLinks(account, deal), source).then(onSaved, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };
  const hint = source.trim() !== '' && !looksLikeEmail(source);

  return (
    <Modal title="Log an e-mail" titleId="email-form-title" onClose={onCancel} wide>
      <form id="email-form" className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="email-file">An .eml file</label>
          <input id="email-file" type="file" accept=".eml,message/rfc822" onChange={pick} />
          {fileName !== null && <p className="muted">Read {fileName}.</p>}
        </div>
        <div className={error === null ? 'field' : 'field field--invalid'}>
          <label htmlFor="email-source">…or paste the e-mail's source (headers, a blank line, the text)</label>
          <textarea
            id="email-source"
            className="mono"
            rows={10}
            placeholder={'From: Anna <anna@example.com>\nTo: me@example.com\nSubject: Offer\nDate: Mon, 2 Mar 2026 09:30:00 +0100\n\nHello…'}
            value={source}
            onChange={(e) => {
              setSource(e.target.value);
            }}
          />
          {hint && <p className="muted">This does not start with headers (From:, Subject:, …); the e-mail program's "Show original" or "View source" gives them.</p>}
          {error !== null && (
            <p id="email-error" className="field-error" role="alert">
              {error.message}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="email-deal">Deal (optional)</label>
          <select
            id="email-deal"
            value={deal}
            onChange={(e) => {
              setDeal(e.target.value);
            }}
          >
            <option value="">— none —</option>
            {deals.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
          <button id="email-save" type="submit" className="button button--primary" disabled={saving || source.trim() === ''}>
            {saving ? 'Saving…' : 'Log e-mail'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
