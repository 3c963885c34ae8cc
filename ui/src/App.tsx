import { useCallback, useState } from 'react';
import type { AccountRow } from './backend';
import { useBackend } from './BackendContext';
import { AccountDetail } from './components/AccountDetail';
import { AccountForm } from './components/AccountForm';
import { AccountList } from './components/AccountList';
import { RejectedPanel } from './components/RejectedPanel';
import { SignInDialog } from './components/SignInDialog';
import { TopBar } from './components/TopBar';
import { useSubscription } from './hooks/useSubscription';
import { useSyncStatus } from './hooks/useSyncStatus';
import { toAppError } from './lib/errors';

/** What the right-hand pane shows. */
type Pane = { kind: 'empty' } | { kind: 'view'; id: string } | { kind: 'create' } | { kind: 'edit'; account: AccountRow };

type Dialog = 'none' | 'sign-in' | 'rejected';

export function App() {
  const backend = useBackend();
  const sync = useSyncStatus();
  const [pane, setPane] = useState<Pane>({ kind: 'empty' });
  const [dialog, setDialog] = useState<Dialog>('none');
  const [syncBusy, setSyncBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Bumped whenever data may have changed (here or underneath); the list and detail re-read.
  const [version, setVersion] = useState(0);
  const dataChanged = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);
  useSubscription(backend.onDataChanged, dataChanged);

  const selectedId = pane.kind === 'view' ? pane.id : pane.kind === 'edit' ? pane.account.id : null;
  const status = sync.status;

  const closeDialog = useCallback(() => {
    setDialog('none');
  }, []);

  const fail = (err: unknown) => {
    setNotice(toAppError(err).message);
  };

  const syncNow = () => {
    setSyncBusy(true);
    setNotice(null);
    backend
      .syncNow()
      .then(sync.set, fail)
      .finally(() => {
        setSyncBusy(false);
      });
  };

  const signOut = () => {
    setNotice(null);
    backend.signOut().then((s) => {
      sync.set(s);
      dataChanged();
    }, fail);
  };

  const afterSave = (account: AccountRow) => {
    setPane({ kind: 'view', id: account.id });
    dataChanged();
  };

  return (
    <div className="app">
      <TopBar
        status={status}
        syncBusy={syncBusy}
        onSyncNow={syncNow}
        onShowRejected={() => {
          setDialog('rejected');
        }}
        onOpenSignIn={() => {
          setDialog('sign-in');
        }}
        onSignOut={signOut}
      />
      {status?.mode === 'local' && (
        <div className="banner" role="status">
          Local workspace with demo data — sign in to sync with your company
        </div>
      )}
      {(notice ?? sync.error?.message ?? null) !== null && (
        <div className="banner banner--error" role="alert">
          <span>{notice ?? sync.error?.message}</span>
          {notice !== null && (
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss"
              onClick={() => {
                setNotice(null);
              }}
            >
              ×
            </button>
          )}
        </div>
      )}
      <main className="workspace">
        <aside className="sidebar">
          <div className="sidebar-header">
            <h1>Accounts</h1>
            <button
              id="new-account"
              type="button"
              className="button button--primary button--small"
              onClick={() => {
                setPane({ kind: 'create' });
              }}
            >
              New account
            </button>
          </div>
          <AccountList
            selectedId={selectedId}
            version={version}
            onSelect={(id) => {
              setPane({ kind: 'view', id });
            }}
          />
        </aside>
        <section className="pane">
          {pane.kind === 'empty' && <div className="detail-empty muted">Select an account, or create a new one.</div>}
          {pane.kind === 'view' && (
            <AccountDetail
              key={pane.id}
              id={pane.id}
              version={version}
              onEdit={(account) => {
                setPane({ kind: 'edit', account });
              }}
              onDeleted={() => {
                setPane({ kind: 'empty' });
                dataChanged();
              }}
              onChanged={dataChanged}
            />
          )}
          {pane.kind === 'create' && (
            <AccountForm
              key="create"
              account={null}
              onSaved={afterSave}
              onCancel={() => {
                setPane({ kind: 'empty' });
              }}
            />
          )}
          {pane.kind === 'edit' && (
            <AccountForm
              key={pane.account.id}
              account={pane.account}
              onSaved={afterSave}
              onCancel={() => {
                setPane({ kind: 'view', id: pane.account.id });
              }}
            />
          )}
        </section>
      </main>
      {dialog === 'sign-in' && (
        <SignInDialog
          initialUrl={status?.serverUrl ?? ''}
          initialUser={status?.user ?? ''}
          onClose={closeDialog}
          onSignedIn={(s) => {
            sync.set(s);
            closeDialog();
            dataChanged();
          }}
        />
      )}
      {dialog === 'rejected' && status !== null && <RejectedPanel rejected={status.rejected} onClose={closeDialog} />}
    </div>
  );
}
