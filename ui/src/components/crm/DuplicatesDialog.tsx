import { useCallback, useState } from 'react';
import type { AccountDuplicate } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { reasonsText } from '../../lib/profiles';
import { LoadStatus } from '../LoadStatus';
import { Modal } from '../Modal';
import { MergeAccountsDialog } from './MergeAccountsDialog';

interface FindDuplicatesProps {
  /** A merge happened (`merged` is gone; `keep` has its links). */
  onMerged: (keep: string, merged: string) => void;
}

/** "Find duplicates" on the accounts screen: every likely pair, each with "Merge…". */
export function FindDuplicates({ onMerged }: FindDuplicatesProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        id="find-duplicates"
        type="button"
        className="button button--small"
        onClick={() => {
          setOpen(true);
        }}
      >
        Find duplicates
      </button>
      {open && (
        <DuplicatesDialog
          onMerged={onMerged}
          onClose={() => {
            setOpen(false);
          }}
        />
      )}
    </>
  );
}

function DuplicatesDialog({ onMerged, onClose }: FindDuplicatesProps & { onClose: () => void }) {
  const backend = useBackend();
  const [version, setVersion] = useState(0);
  const [merging, setMerging] = useState<AccountDuplicate | null>(null);
  const load = useCallback(() => backend.crmAccountDuplicates(), [backend]);
  const loaded = useLoaded(load, version);
  const { data } = loaded;

  if (merging !== null) {
    return (
      <MergeAccountsDialog
        account={{ id: merging.first, name: merging.firstName }}
        other={merging.second}
        onMerged={(keep, merged) => {
          setMerging(null);
          setVersion((v) => v + 1);
          onMerged(keep, merged);
        }}
        onClose={() => {
          setMerging(null);
        }}
      />
    );
  }

  return (
    <Modal title="Likely duplicate accounts" titleId="duplicates-title" onClose={onClose} wide>
      <LoadStatus loaded={loaded} text="Looking for duplicates…" />
      {data !== null && data.length === 0 && (
        <p id="duplicates-none" className="empty">
          No likely duplicates found.
        </p>
      )}
      {data !== null && data.length > 0 && (
        <>
          <p className="muted">
            {data.length === 1 ? '1 pair' : `${String(data.length)} pairs`}, the strongest first: the same name, VAT id, e-mail
            domain or phone.
          </p>
          <ul id="duplicate-pairs" className="duplicate-list">
            {data.map((pair) => (
              <li key={`${pair.first}:${pair.second}`} data-testid="duplicate-pair" className="duplicate-pair">
                <div className="duplicate-names">
                  <strong>{pair.firstName}</strong> and <strong>{pair.secondName}</strong>
                  <div className="muted">{reasonsText(pair.reasons)}</div>
                </div>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => {
                    setMerging(pair);
                  }}
                >
                  Merge…
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
