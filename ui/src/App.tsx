import { useCallback, useState } from 'react';
import type { AccountRow } from './backend';
import { useBackend } from './BackendContext';
import { AccountDetail } from './components/AccountDetail';
import { AccountForm } from './components/AccountForm';
import { AccountList } from './components/AccountList';
import { AboutDialog } from './components/AboutDialog';
import { AuditLog } from './components/AuditLog';
import { ConflictsPanel } from './components/ConflictsPanel';
import { CalendarScreen } from './components/crm/activities/CalendarScreen';
import { CsvActions } from './components/crm/CsvActions';
import { FindDuplicates } from './components/crm/DuplicatesDialog';
import { ReminderToasts } from './components/crm/activities/ReminderToasts';
import { DealsScreen } from './components/crm/DealsScreen';
import { LeadsScreen } from './components/crm/leads/LeadsScreen';
import { DeliveriesScreen } from './components/erp/DeliveriesScreen';
import { InvoicesScreen } from './components/erp/InvoicesScreen';
import { OrdersScreen, type OrdersPane } from './components/erp/OrdersScreen';
import { PaymentsScreen } from './components/erp/PaymentsScreen';
import { ProductsScreen } from './components/erp/ProductsScreen';
import { ReportsScreen } from './components/erp/ReportsScreen';
import { StockScreen } from './components/erp/StockScreen';
import { RejectedPanel } from './components/RejectedPanel';
import { ScreenNav, type Screen } from './components/ScreenNav';
import { revealDealCard, SearchPalette } from './components/SearchPalette';
import { SignInDialog } from './components/SignInDialog';
import { TopBar } from './components/TopBar';
import { UpdateBanner } from './components/UpdateBanner';
import { useSubscription } from './hooks/useSubscription';
import { useSyncStatus } from './hooks/useSyncStatus';
import { useUpdateStatus } from './hooks/useUpdateStatus';
import { errorBanner } from './lib/banners';
import type { SearchTarget } from './lib/search';
import { toAppError } from './lib/errors';
import { SessionContext } from './SessionContext';

/** What the right-hand pane shows. */
type Pane = { kind: 'empty' } | { kind: 'view'; id: string } | { kind: 'create' } | { kind: 'edit'; account: AccountRow };

type Dialog =
  | { kind: 'none' }
  | { kind: 'sign-in' }
  | { kind: 'rejected' }
  | { kind: 'conflicts' }
  | { kind: 'about' }
  | { kind: 'audit'; recordId: string | null; recordName?: string };

export function App() {
  const backend = useBackend();
  const sync = useSyncStatus();
  const [update, setUpdate] = useUpdateStatus();
  const [screen, setScreen] = useState<Screen>('accounts');
  const [invoiceId, setInvoiceId] = useState<string | null>(null);
  // What the orders screen opens with when another screen sends the user there.
  const [ordersStart, setOrdersStart] = useState<{ key: number; pane: OrdersPane }>({ key: 0, pane: { kind: 'empty' } });
  const [pane, setPane] = useState<Pane>({ kind: 'empty' });
  // The lead the Leads screen opens with when the search sends the user there.
  const [leadsStart, setLeadsStart] = useState<{ key: number; lead: string | null }>({ key: 0, lead: null });
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });
  const [syncBusy, setSyncBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Code of the last failed command, for guidance such as "sign in again".
  const [errorCode, setErrorCode] = useState<string | null>(null);
  // Bumped whenever data may have changed (here or underneath); the list and detail re-read.
  const [version, setVersion] = useState(0);
  const dataChanged = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);
  useSubscription(backend.onDataChanged, dataChanged);

  const selectedId = pane.kind === 'view' ? pane.id : pane.kind === 'edit' ? pane.account.id : null;
  const status = sync.status;
  const banner = errorBanner(status, errorCode);
  // A notice the banner already explains is not repeated.
  const shownNotice = banner !== null && errorCode === banner.kind ? null : notice;

  const closeDialog = useCallback(() => {
    setDialog({ kind: 'none' });
  }, []);

  const fail = (err: unknown) => {
    const appError = toAppError(err);
    setErrorCode(appError.code);
    setNotice(appError.message);
  };

  const syncNow = () => {
    setSyncBusy(true);
    setNotice(null);
    setErrorCode(null);
    backend
      .syncNow()
      .then(sync.set, fail)
      .finally(() => {
        setSyncBusy(false);
      });
  };

  const signOut = () => {
    setNotice(null);
    setErrorCode(null);
    backend.signOut().then((s) => {
      sync.set(s);
      dataChanged();
    }, fail);
  };

  const newOrderFor = (account: string) => {
    setOrdersStart((s) => ({ key: s.key + 1, pane: { kind: 'create', account } }));
    setScreen('orders');
  };

  const openOrder = (id: string) => {
    setOrdersStart((s) => ({ key: s.key + 1, pane: { kind: 'view', id } }));
    setScreen('orders');
  };

  const openAccount = (id: string) => {
    setPane({ kind: 'view', id });
    setScreen('accounts');
  };

  // The account merged away is gone: show the one it was merged into instead.
  const accountsMerged = (keep: string, merged: string) => {
    setPane((p) => (p.kind !== 'empty' && p.kind !== 'create' && (p.kind === 'view' ? p.id : p.account.id) === merged ? { kind: 'view', id: keep } : p));
    dataChanged();
  };

  const openSearchHit = (target: NonNullable<SearchTarget>) => {
    switch (target.screen) {
      case 'accounts':
        openAccount(target.account);
        break;
      case 'deals':
        setScreen('deals');
        revealDealCard(target.deal);
        break;
      case 'leads':
        setLeadsStart((s) => ({ key: s.key + 1, lead: target.lead }));
        setScreen('leads');
        break;
    }
  };

  const openInvoice = (id: string) => {
    setInvoiceId(id);
    setScreen('invoices');
  };

  const afterSave = (account: AccountRow) => {
    setPane({ kind: 'view', id: account.id });
    dataChanged();
  };

  return (
    <SessionContext value={status}>
      <div className="app">
        <TopBar
          status={status}
          syncBusy={syncBusy}
          onSyncNow={syncNow}
          onShowRejected={() => {
            setDialog({ kind: 'rejected' });
          }}
          onShowConflicts={() => {
            setDialog({ kind: 'conflicts' });
          }}
          onOpenAudit={() => {
            setDialog({ kind: 'audit', recordId: null });
          }}
          onOpenSignIn={() => {
            setDialog({ kind: 'sign-in' });
          }}
          onSignOut={signOut}
          onOpenAbout={() => {
            setDialog({ kind: 'about' });
          }}
        />
        <UpdateBanner status={update} />
        {status?.mode === 'local' && (
          <div className="banner" role="status">
            Local workspace with demo data — sign in to sync with your company
          </div>
        )}
        {banner?.kind === 'upgrade_required' && (
          <div id="upgrade-banner" className="banner banner--error" role="alert">
            <span>{banner.message}</span>
          </div>
        )}
        {banner?.kind === 'session_expired' && (
          <div id="session-banner" className="banner banner--warn" role="alert">
            <span>{banner.message}</span>
            <button
              id="session-signin"
              type="button"
              className="button button--primary button--small"
              onClick={() => {
                setDialog({ kind: 'sign-in' });
              }}
            >
              Sign in again
            </button>
          </div>
        )}
        {banner?.kind === 'revoked' && (
          <div id="revoked-banner" className="banner banner--error" role="alert">
            <span>
              <strong>Your company data was removed from this device.</strong> {banner.message}
            </span>
          </div>
        )}
        {(shownNotice ?? sync.error?.message ?? null) !== null && (
          <div className="banner banner--error" role="alert">
            <span>{shownNotice ?? sync.error?.message}</span>
            {shownNotice !== null && (
              <button
                type="button"
                className="icon-button"
                aria-label="Dismiss"
                onClick={() => {
                  setNotice(null);
                  setErrorCode(null);
                }}
              >
                ×
              </button>
            )}
          </div>
        )}
        <ScreenNav
          screen={screen}
          onChange={(next) => {
            setOrdersStart((s) => ({ ...s, pane: { kind: 'empty' } }));
            setLeadsStart((s) => ({ ...s, lead: null }));
            setScreen(next);
          }}
        />
        {screen === 'leads' && (
          <LeadsScreen
            key={leadsStart.key}
            initialLead={leadsStart.lead}
            version={version}
            onChanged={dataChanged}
            onOpenAccount={openAccount}
          />
        )}
        {screen === 'deals' && <DealsScreen version={version} onChanged={dataChanged} />}
        {screen === 'calendar' && <CalendarScreen version={version} onOpenAccount={openAccount} />}
        {screen === 'orders' && (
          <OrdersScreen
            key={ordersStart.key}
            initialPane={ordersStart.pane}
            version={version}
            onChanged={dataChanged}
            onOpenInvoice={openInvoice}
          />
        )}
        {screen === 'deliveries' && <DeliveriesScreen version={version} />}
        {screen === 'invoices' && (
          <InvoicesScreen
            version={version}
            onChanged={dataChanged}
            selectedId={invoiceId}
            onSelect={setInvoiceId}
            onOpenOrder={openOrder}
          />
        )}
        {screen === 'payments' && <PaymentsScreen version={version} onChanged={dataChanged} />}
        {screen === 'products' && <ProductsScreen version={version} onChanged={dataChanged} />}
        {screen === 'stock' && <StockScreen version={version} onChanged={dataChanged} />}
        {screen === 'reports' && <ReportsScreen version={version} />}
        {screen === 'accounts' && (
          <main className="workspace">
            <aside className="sidebar">
              <div className="sidebar-header">
                <h1>Accounts</h1>
                <FindDuplicates onMerged={accountsMerged} />
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
              <div className="sidebar-csv">
                <CsvActions entities={['account', 'contact']} onChanged={dataChanged} />
              </div>
              <AccountList
                selectedId={selectedId}
                version={version}
                onChanged={dataChanged}
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
                  onMerged={accountsMerged}
                  onNewOrder={newOrderFor}
                  onOpenOrder={openOrder}
                  conflicts={status?.conflicts}
                  onShowConflicts={() => {
                    setDialog({ kind: 'conflicts' });
                  }}
                  onShowHistory={
                    status?.mode === 'server'
                      ? (account) => {
                          setDialog({ kind: 'audit', recordId: account.id, recordName: account.name });
                        }
                      : undefined
                  }
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
        )}
        <ReminderToasts onOpenAccount={openAccount} />
        <SearchPalette onOpen={openSearchHit} />
        {dialog.kind === 'sign-in' && (
          <SignInDialog
            initialUrl={status?.serverUrl ?? ''}
            initialUser={status?.user ?? ''}
            onClose={closeDialog}
            onSignedIn={(s) => {
              sync.set(s);
              setErrorCode(null);
              setNotice(null);
              closeDialog();
              dataChanged();
            }}
          />
        )}
        {dialog.kind === 'rejected' && status !== null && <RejectedPanel rejected={status.rejected} onClose={closeDialog} />}
        {dialog.kind === 'conflicts' && status !== null && (
          <ConflictsPanel conflicts={status.conflicts} onResolved={sync.set} onClose={closeDialog} />
        )}
        {dialog.kind === 'about' && <AboutDialog update={update} onUpdate={setUpdate} onClose={closeDialog} />}
        {dialog.kind === 'audit' && (
          <AuditLog
            key={dialog.recordId ?? 'all'}
            recordId={dialog.recordId}
            recordName={dialog.recordName}
            onClose={closeDialog}
          />
        )}
      </div>
    </SessionContext>
  );
}
