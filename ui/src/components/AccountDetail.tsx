import { useCallback, useState } from 'react';
import type { AccountRow, Conflict, FieldDef, Profile } from '../backend';
import { useBackend } from '../BackendContext';
import { useAccountDetail } from '../hooks/useAccountDetail';
import { useLoaded } from '../hooks/useLoaded';
import { useNow } from '../hooks/useNow';
import { conflictsOfAccount } from '../lib/conflicts';
import { toAppError } from '../lib/errors';
import { customDisplay } from '../lib/profiles';
import { absoluteTime, relativeTime } from '../lib/time';
import { ConfirmDelete } from './ConfirmDelete';
import { Contacts } from './Contacts';
import { AccountTabs } from './crm/activities/AccountTabs';
import { MergeAccountsDialog } from './crm/MergeAccountsDialog';
import { ProfileForm, TagChips } from './crm/ProfileForm';
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
  /** Accounts were merged (`merged` is gone); without it, `onChanged`. */
  onMerged?: (keep: string, merged: string) => void;
}

function Value({ value, href }: { value: string | null; href?: string }) {
  if (value === null || value === '') {
    return <span className="muted">—</span>;
  }
  return href === undefined ? <>{value}</> : <a href={href}>{value}</a>;
}

/** Owner, tags and the custom fields (labels from the definitions) under the account's name. */
function ProfileSummary({ profile, defs }: { profile: Profile | undefined; defs: readonly FieldDef[] }) {
  const custom = profile?.custom ?? {};
  return (
    <dl id="account-profile" className="profile-summary">
      <div>
        <dt>Owner</dt>
        <dd id="account-owner">
          <Value value={profile?.owner ?? null} />
        </dd>
      </div>
      <div>
        <dt>Tags</dt>
        <dd id="account-tags">{(profile?.tags ?? []).length === 0 ? <Value value={null} /> : <TagChips tags={profile?.tags ?? []} />}</dd>
      </div>
      {defs.map((def) => (
        <div key={def.key} data-testid="account-custom" data-key={def.key}>
          <dt>{def.label}</dt>
          <dd>
            <Value value={custom[def.key] === undefined ? null : customDisplay(def, custom[def.key] ?? '')} />
          </dd>
        </div>
      ))}
    </dl>
  );
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
  onMerged,
}: AccountDetailProps) {
  const backend = useBackend();
  const now = useNow();
  const { detail, error } = useAccountDetail(id, version);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'none' | 'profile' | 'merge'>('none');
  const loadFields = useCallback(() => backend.crmCustomFields('account'), [backend]);
  const fields = useLoaded(loadFields, version);

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
          <ProfileSummary profile={detail.profile} defs={fields.data ?? []} />
        </div>
        <div className="detail-actions">
          <button
            id="edit-profile"
            type="button"
            className="button"
            onClick={() => {
              setDialog('profile');
            }}
          >
            Edit owner, tags &amp; fields
          </button>
          <button
            id="merge-account"
            type="button"
            className="button"
            onClick={() => {
              setDialog('merge');
            }}
          >
            Merge duplicate…
          </button>
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
      {dialog === 'profile' && (
        <ProfileForm
          entity="account"
          id={account.id}
          name={account.name}
          profile={detail.profile}
          onSaved={() => {
            setDialog('none');
            onChanged();
          }}
          onClose={() => {
            setDialog('none');
          }}
        />
      )}
      {dialog === 'merge' && (
        <MergeAccountsDialog
          account={{ id: account.id, name: account.name }}
          onMerged={(keep, merged) => {
            setDialog('none');
            if (onMerged === undefined) {
              onChanged();
            } else {
              onMerged(keep, merged);
            }
          }}
          onClose={() => {
            setDialog('none');
          }}
        />
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
