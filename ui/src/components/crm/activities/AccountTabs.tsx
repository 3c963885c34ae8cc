import { useCallback, useState, type ReactNode } from 'react';
import type { Deal } from '../../../backend';
import { useBackend } from '../../../BackendContext';
import { useLoaded } from '../../../hooks/useLoaded';
import { formatMoney } from '../../../lib/money';
import { DealForm } from '../DealForm';
import { AccountQuotes } from '../quotes/AccountQuotes';
import { ActivityTimeline } from './ActivityTimeline';

type Tab = 'activities' | 'contacts' | 'deals' | 'quotes' | 'erp';

interface AccountTabsProps {
  account: string;
  version: number;
  onChanged: () => void;
  /** The account's contacts section. */
  contacts: ReactNode;
  contactCount: number;
  /** The read-only orders, shipments, invoices, balance and credit. */
  facts: ReactNode;
  /** Opens an order (e.g. the one an accepted quote became). */
  onOpenOrder?: (id: string) => void;
}

/** How many deals of an account are read for its view (deals by expected close). */
const DEALS_SHOWN = 200;

/** The account's deals; each opens its own activities. */
function AccountDeals({ deals, onShowActivities }: { deals: Deal[]; onShowActivities: (deal: string) => void }) {
  if (deals.length === 0) {
    return <p className="muted">No deals with this customer yet.</p>;
  }
  return (
    <table className="data-table" id="account-deals">
      <thead>
        <tr>
          <th>Deal</th>
          <th>Stage</th>
          <th className="num">Amount</th>
          <th>Close</th>
          <th>Owner</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {deals.map((d) => (
          <tr key={d.id} data-testid="account-deal">
            <td>{d.name}</td>
            <td>
              <span className="status-badge">{d.stage}</span>
              {d.lost_reason !== null && <span className="muted"> — {d.lost_reason}</span>}
            </td>
            <td className="num">{formatMoney(d.amount.amount, d.amount.currency)}</td>
            <td>{d.closed_on ?? d.expected_close}</td>
            <td className="muted">{d.owner}</td>
            <td>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  onShowActivities(d.id);
                }}
              >
                Activities
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The whole customer in one view, from the device (offline too): the activity timeline, contacts,
 * deals, quotes, and the orders/shipments/invoices with balance and credit.
 */
export function AccountTabs({ account, version, onChanged, contacts, contactCount, facts, onOpenOrder }: AccountTabsProps) {
  const backend = useBackend();
  const [tab, setTab] = useState<Tab>('activities');
  const [timelineDeal, setTimelineDeal] = useState('');
  const [newDeal, setNewDeal] = useState(false);
  const loadDeals = useCallback(() => backend.crmDeals({ account, after: null, limit: DEALS_SHOWN }), [backend, account]);
  const deals = useLoaded(loadDeals, version);
  const loadPipelines = useCallback(() => backend.crmPipelines(), [backend]);
  const pipelines = useLoaded(loadPipelines, version);
  const dealList = deals.data?.items ?? [];
  const pipeline = pipelines.data?.[0] ?? null;

  const TABS: { tab: Tab; label: string }[] = [
    { tab: 'activities', label: 'Activities' },
    { tab: 'contacts', label: `Contacts (${contactCount})` },
    { tab: 'deals', label: `Deals (${dealList.length})` },
    { tab: 'quotes', label: 'Quotes' },
    { tab: 'erp', label: 'Orders & invoices' },
  ];

  return (
    <div className="account-tabs">
      <div className="tabs account-tab-bar no-print" role="tablist" aria-label="Customer">
        {TABS.map((t) => (
          <button
            key={t.tab}
            id={`account-tab-${t.tab}`}
            type="button"
            role="tab"
            aria-selected={t.tab === tab}
            className={t.tab === tab ? 'tab tab--active' : 'tab'}
            onClick={() => {
              setTab(t.tab);
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="account-tab-panel" role="tabpanel" aria-labelledby={`account-tab-${tab}`}>
        {tab === 'activities' && (
          <ActivityTimeline
            account={account}
            deals={dealList}
            deal={timelineDeal}
            onDealChange={setTimelineDeal}
            version={version}
            onChanged={onChanged}
          />
        )}
        {tab === 'contacts' && contacts}
        {tab === 'deals' && (
          <section aria-labelledby="account-deals-title">
            <div className="section-header">
              <h3 id="account-deals-title">Deals</h3>
              {pipeline !== null && (
                <button
                  id="account-new-deal"
                  type="button"
                  className="button button--small"
                  onClick={() => {
                    setNewDeal(true);
                  }}
                >
                  New deal
                </button>
              )}
            </div>
            {deals.error !== null && (
              <p className="form-error" role="alert">
                {deals.error.message}
              </p>
            )}
            <AccountDeals
              deals={dealList}
              onShowActivities={(id) => {
                setTimelineDeal(id);
                setTab('activities');
              }}
            />
            {newDeal && pipeline !== null && (
              <DealForm
                pipeline={pipeline}
                account={account}
                onCreated={() => {
                  setNewDeal(false);
                  onChanged();
                }}
                onCancel={() => {
                  setNewDeal(false);
                }}
              />
            )}
          </section>
        )}
        {tab === 'quotes' && (
          <AccountQuotes account={account} deals={dealList} version={version} onChanged={onChanged} onOpenOrder={onOpenOrder} />
        )}
        {tab === 'erp' && facts}
      </div>
    </div>
  );
}
