import { useState } from 'react';
import type { AccountRow, Conflict } from '../backend';
import { useBackend } from '../BackendContext';
import { useAccountDetail } from '../hooks/useAccountDetail';
import { useNow } from '../hooks/useNow';
import { conflictsOfAccount } from '../lib/conflicts';
import { toAppError } from '../lib/errors';
import { absoluteTime, relativeTime } from '../lib/time';
import { ConfirmDelete } from './ConfirmDelete';
import { Contacts } from './Contacts';
import { AccountTabs } from './crm/activities/AccountTabs';
import { CustomerFactsPanel } from './erp/CustomerFactsPanel';

interface AccountDetailProps {
  id: string;
  /** Changes whenever the data may have changed; the account is then read again. */
  version: number;
  onEdit: (account: AccountRow) => void;
  onDeleted: () => void;
  /** Something of this account changed here (e.g. a contact). */
  onChanged: () => void;
  /** All conflicts of the sync status; the ones of this account raise a notice. */
  conflicts?: Conflict[];
  onShowConflicts?: () => void;
  /** Opens the audit log filtered to this account; omitted when not signed in. */
  onShowHistory?: (account: AccountRow) => void;
  /** Starts a new sales order for this account. */
  onNewOrder?: (accountId: string) => void;
  /** Opens an order (e.g. the one an accepted quote became). */
  onOpenOrder?: (id: string) => void;
}

function Value({ value, href }: { value: string | null; href?: string }) {
  if (value === null || value === '') {
    return <span className="muted">—</span>;
  }
  return href === undefined ? <>{value}</> : <a href={href}>{value}</a>;
}

export function AccountDetail({
  id,
  version,
  onEdit,
  onDeleted,
  onChanged,
  conflicts,
  onShowConflicts,
  onShowHistory,
  onNewOrder,
  onOpenOrder,
}: AccountDetailProps) {
  const backend = useBackend();
  const now = useNow();
  const { detail, error } = useAccountDetail(id, version);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  if (error !== null) {
    return (
      <div className="detail-empty" role="alert">
        {error.code === 'not_found' ? 'This account no longer exists.' : error.message}
      </div>
    );
  }
  if (detail === null) {
    return <div className="detail-empty muted">Loading…</div>;
  }
  const { account, contacts } = detail;
  const contactIds = new Set(contacts.map((c) => c.id));
  const ownConflicts = conflictsOfAccount(conflicts, account.id).concat(
    (conflicts ?? []).filter((c) => c.resolution === null && c.accountId !== account.id && contactIds.has(c.recordId)),
  );

  const remove = () => {
    setDeleting(true);
    setDeleteError(null);
    backend.deleteAccount(account.id).then(onDeleted, (err: unknown) => {
      setDeleting(false);
      setDeleteError(toAppError(err).message);
    });
  };

  return (
    <article id="account-detail" data-id={account.id} className="detail" aria-labelledby="account-detail-title">
      <header className="detail-header">
        <div>
          <h2 id="account-detail-title">
            {account.name}
            {account.pending && <span className="pending-badge">Not yet synced</span>}
          </h2>
          <p className="muted" title={absoluteTime(account.updatedAt)}>
            Updated {relativeTime(account.updatedAt, now)}
          </p>
        </div>
        <div className="detail-actions">
          {onShowHistory !== undefined && (
            <button
              id="account-history"
              type="button"
              className="button"
              onClick={() => {
                onShowHistory(account);
              }}
            >
              History
            </button>
          )}
          <button
            id="edit-account"
            type="button"
            className="button"
            onClick={() => {
              onEdit(account);
            }}
          >
            Edit
          </button>
          <ConfirmDelete
            label="Delete"
            question={contacts.length === 0 ? 'Delete this account?' : `Delete this account and its ${contacts.length} contacts?`}
            onConfirm={remove}
            busy={deleting}
            buttonId="delete-account"
            confirmId="confirm-delete"
          />
        </div>
      </header>
      {ownConflicts.length > 0 && (
        <div id="account-conflict-notice" className="notice notice--warn" role="status">
          {ownConflicts.length === 1
            ? 'A change to this account was overwritten by a later one.'
            : `${ownConflicts.length} changes to this account were overwritten by later ones.`}{' '}
          {onShowConflicts !== undefined && (
            <button type="button" className="link-button" onClick={onShowConflicts}>
              Review conflicts
            </button>
          )}
        </div>
      )}
      {deleteError !== null && (
        <p className="form-error" role="alert">
          {deleteError}
        </p>
      )}
      <dl className="facts">
        <dt>VAT id</dt>
        <dd>
          <Value value={account.vatId} />
        </dd>
        <dt>E-mail</dt>
        <dd>
          <Value value={account.email} href={account.email === null ? undefined : `mailto:${account.email}`} />
        </dd>
        <dt>Phone</dt>
        <dd>
          <Value value={account.phone} />
        </dd>
        <dt>City</dt>
        <dd>
          <Value value={account.city} />
        </dd>
        <dt>Territory</dt>
        <dd>
          <Value value={account.territory} />
        </dd>
      </dl>
      <AccountTabs
        account={account.id}
        version={version}
        onChanged={onChanged}
        onOpenOrder={onOpenOrder}
        contactCount={contacts.length}
        contacts={<Contacts key={account.id} accountId={account.id} contacts={contacts} onChanged={onChanged} />}
        facts={
          <CustomerFactsPanel
            account={account.id}
            version={version}
            onChanged={onChanged}
            onNewOrder={
              onNewOrder === undefined
                ? undefined
                : () => {
                    onNewOrder(account.id);
                  }
            }
          />
        }
      />
    </article>
  );
}
