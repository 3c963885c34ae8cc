import { useCallback, useState, type SubmitEvent } from 'react';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { toAppError } from '../../lib/errors';
import { duplicatesOf, mergeArgs, mergeSummary, reasonsText, type DuplicateOf, type MergeSide } from '../../lib/profiles';
import { LoadStatus } from '../LoadStatus';
import { Modal } from '../Modal';

interface MergeAccountsDialogProps {
  /** The account the merge starts from ("this one"). */
  account: MergeSide;
  /** The other account to preselect; else the strongest duplicate. */
  other?: string;
  /** The merge happened: `merged` no longer exists, `keep` has its links. */
  onMerged: (keep: string, merged: string) => void;
  onClose: () => void;
}

/** Merges a likely duplicate into this account, or this account into it. */
export function MergeAccountsDialog({ account, other, onMerged, onClose }: MergeAccountsDialogProps) {
  const backend = useBackend();
  const load = useCallback(() => backend.crmAccountDuplicates(), [backend]);
  const loaded = useLoaded(load, 0);
  const { data } = loaded;

  return (
    <Modal title={`Merge a duplicate of ${account.name}`} titleId="merge-title" onClose={onClose} wide>
      <LoadStatus loaded={loaded} text="Looking for duplicates…" />
      {data !== null && (
        <MergeForm account={account} candidates={duplicatesOf(data, account.id)} other={other} onMerged={onMerged} onClose={onClose} />
      )}
    </Modal>
  );
}

interface MergeFormProps {
  account: MergeSide;
  candidates: DuplicateOf[];
  other: string | undefined;
  onMerged: (keep: string, merged: string) => void;
  onClose: () => void;
}

function MergeForm({ account, candidates, other, onMerged, onClose }: MergeFormProps) {
  const backend = useBackend();
  const [otherId, setOtherId] = useState(() => candidates.find((c) => c.id === other)?.id ?? candidates[0]?.id ?? null);
  const [keepSelf, setKeepSelf] = useState(true);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const chosen = candidates.find((c) => c.id === otherId);

  if (candidates.length === 0) {
    return (
      <>
        <p id="merge-none" className="empty">
          No likely duplicates of this account were found.
        </p>
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </>
    );
  }

  const plan = chosen === undefined ? null : mergeArgs(account, { id: chosen.id, name: chosen.name }, keepSelf);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (plan === null) {
      return;
    }
    setBusy(true);
    setRefusal(null);
    backend.crmMergeAccounts(plan.keep.id, plan.merged.id).then(
      () => {
        onMerged(plan.keep.id, plan.merged.id);
      },
      (err: unknown) => {
        setBusy(false);
        setRefusal(toAppError(err).message);
      },
    );
  };

  return (
    <form id="merge-form" className="form" onSubmit={submit} aria-label="Merge accounts">
      <fieldset className="merge-choice">
        <legend>Likely duplicates</legend>
        {candidates.map((c) => (
          <label key={c.id} className="merge-option" data-testid="merge-candidate" data-id={c.id}>
            <input
              type="radio"
              name="merge-other"
              value={c.id}
              checked={c.id === otherId}
              disabled={busy}
              onChange={() => {
                setOtherId(c.id);
              }}
            />
            <span>
              <strong>{c.name}</strong> <span className="muted">— {reasonsText(c.reasons)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {chosen !== undefined && (
        <fieldset className="merge-choice">
          <legend>Which account stays</legend>
          <label className="merge-option">
            <input
              id="merge-keep-self"
              type="radio"
              name="merge-keep"
              checked={keepSelf}
              disabled={busy}
              onChange={() => {
                setKeepSelf(true);
              }}
            />
            <span>{account.name} (this one)</span>
          </label>
          <label className="merge-option">
            <input
              id="merge-keep-other"
              type="radio"
              name="merge-keep"
              checked={!keepSelf}
              disabled={busy}
              onChange={() => {
                setKeepSelf(false);
              }}
            />
            <span>{chosen.name}</span>
          </label>
        </fieldset>
      )}
      {plan !== null && (
        <p id="merge-summary" className="notice notice--warn">
          {mergeSummary(plan.keep.name, plan.merged.name)}
        </p>
      )}
      {refusal !== null && (
        <p id="merge-error" className="form-error" role="alert">
          {refusal}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button id="merge-confirm" type="submit" className="button button--primary" disabled={busy || plan === null}>
          {busy ? 'Merging…' : plan === null ? 'Merge' : `Merge into ${plan.keep.name}`}
        </button>
      </div>
    </form>
  );
}
