import { useCallback, useState, type SubmitEvent } from 'react';
import type { AppError, Lead, LeadStep } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useLoaded } from '../../../hooks/useLoaded';
import { splitErrors, toAppError } from '../../../lib/errors';
import { leadActions, sourceLabel, statusLabel } from '../../../lib/leads';
import { Field } from '../../Field';
import { Modal } from '../../Modal';
import { ConvertLeadDialog } from './ConvertLeadDialog';

interface LeadDetailProps {
  id: string;
  version: number;
  onChanged: () => void;
  onOpenAccount: (id: string) => void;
}

const STEP_LABEL: Record<LeadStep, string> = {
  work: 'Work',
  qualify: 'Qualify',
  disqualify: 'Disqualify…',
  reopen: 'Reopen',
};

function Value({ value }: { value: string | null }) {
  return value === null || value === '' ? <span className="muted">—</span> : <>{value}</>;
}

/** Asks why before a lead is disqualified. */
function DisqualifyDialog({
  lead,
  onSubmit,
  onCancel,
}: {
  lead: Lead;
  onSubmit: (reason: string) => Promise<void>;
  onCancel: () => void;
}) {
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
  const { byField, general } = error === null ? { byField: {}, general: null } : splitErrors(error, ['reason'] as const);
  return (
    <Modal title={`Disqualify “${lead.company}”`} titleId="disqualify-title" onClose={onCancel}>
      <form id="disqualify-dialog" className="form" onSubmit={submit} noValidate>
        <Field
          id="disqualify-reason"
          label="Why?"
          placeholder="e.g. no budget, a student, a competitor"
          value={reason}
          onChange={setReason}
          error={byField.reason}
          autoFocus
        />
        {general !== null && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onCancel} disabled={saving}>
            Cancel
          </button>
          <button id="disqualify-save" type="submit" className="button button--danger" disabled={saving || reason.trim() === ''}>
            {saving ? 'Saving…' : 'Disqualify'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** What a converted lead became, with its account's name. */
function ConvertedInto({ account, onOpenAccount }: { account: string; onOpenAccount: (id: string) => void }) {
  const backend = useBackend();
  const load = useCallback(() => backend.getAccount(account), [backend, account]);
  const { data } = useLoaded(load, 0);
  return (
    <div id="lead-converted" className="notice notice--ok" role="status">
      Converted into <strong>{data?.account.name ?? 'an account'}</strong>.{' '}
      <button
        id="lead-open-account"
        type="button"
        className="link-button"
        onClick={() => {
          onOpenAccount(account);
        }}
      >
        Open the account
      </button>
    </div>
  );
}

/** One lead: its fields and status, the steps its status allows, and the conversion. */
export function LeadDetail({ id, version, onChanged, onOpenAccount }: LeadDetailProps) {
  const backend = useBackend();
  const load = useCallback(() => backend.crmLead(id), [backend, id]);
  const { data: loaded, error } = useLoaded(load, version);
  // The answer of the last step, until the next read has it anyway.
  const [stepped, setStepped] = useState<{ of: Lead | null; lead: Lead } | null>(null);
  const lead = stepped !== null && stepped.of === loaded ? stepped.lead : loaded;
  const [busy, setBusy] = useState(false);
  const [stepError, setStepError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'none' | 'disqualify' | 'convert'>('none');

  if (error !== null) {
    return (
      <div className="detail-empty" role="alert">
        {error.code === 'not_found' ? 'This lead no longer exists.' : error.message}
      </div>
    );
  }
  if (lead === null) {
    return <div className="detail-empty muted">Loading…</div>;
  }

  const send = async (step: LeadStep, reason: string | null) => {
    const next = await backend.crmSetLeadStatus(lead.id, step, reason);
    setStepped({ of: loaded, lead: next });
    onChanged();
  };

  const run = (step: LeadStep) => {
    if (step === 'disqualify') {
      setDialog('disqualify');
      return;
    }
    setBusy(true);
    setStepError(null);
    send(step, null)
      .catch((e: unknown) => {
        setStepError(toAppError(e).message);
      })
      .finally(() => {
        setBusy(false);
      });
  };

  const actions = leadActions(lead.status);
  const status = lead.status;

  return (
    <article id="lead-detail" data-id={lead.id} className="detail" aria-labelledby="lead-detail-title">
      <header className="detail-header">
        <div>
          <h2 id="lead-detail-title">
            {lead.company}
            <span id="lead-status" className={`status-badge lead-badge--${status.state}`}>
              {statusLabel(status)}
            </span>
          </h2>
          <p className="muted">
            Captured {lead.created} · owner {lead.owner}
          </p>
        </div>
        <div className="detail-actions">
          {actions
            .filter((a): a is LeadStep => a !== 'convert')
            .map((step) => (
              <button
                key={step}
                id={`lead-${step}`}
                type="button"
                className={step === 'disqualify' ? 'button button--danger-quiet' : 'button'}
                disabled={busy}
                onClick={() => {
                  run(step);
                }}
              >
                {STEP_LABEL[step]}
              </button>
            ))}
          {actions.includes('convert') && (
            <button
              id="lead-convert"
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => {
                setDialog('convert');
              }}
            >
              Convert
            </button>
          )}
        </div>
      </header>
      {stepError !== null && (
        <p className="form-error" role="alert">
          {stepError}
        </p>
      )}
      {status.state === 'disqualified' && (
        <p className="notice notice--warn" role="status">
          Disqualified: {status.reason}
        </p>
      )}
      {status.state === 'converted' && <ConvertedInto account={status.account} onOpenAccount={onOpenAccount} />}
      <dl className="facts">
        <dt>Person</dt>
        <dd>
          <Value value={lead.person} />
        </dd>
        <dt>E-mail</dt>
        <dd>{lead.email === null ? <Value value={null} /> : <a href={`mailto:${lead.email}`}>{lead.email}</a>}</dd>
        <dt>Phone</dt>
        <dd>
          <Value value={lead.phone} />
        </dd>
        <dt>VAT id</dt>
        <dd>
          <Value value={lead.vat_id} />
        </dd>
        <dt>City</dt>
        <dd>
          <Value value={lead.city} />
        </dd>
        <dt>Source</dt>
        <dd>{sourceLabel(lead.source)}</dd>
        <dt>Territory</dt>
        <dd>
          <Value value={lead.territory} />
        </dd>
      </dl>
      {dialog === 'disqualify' && (
        <DisqualifyDialog
          lead={lead}
          onSubmit={async (reason) => {
            await send('disqualify', reason);
            setDialog('none');
          }}
          onCancel={() => {
            setDialog('none');
          }}
        />
      )}
      {dialog === 'convert' && (
        <ConvertLeadDialog
          lead={lead}
          onConverted={onChanged}
          onOpenAccount={onOpenAccount}
          onClose={() => {
            setDialog('none');
          }}
        />
      )}
    </article>
  );
}
