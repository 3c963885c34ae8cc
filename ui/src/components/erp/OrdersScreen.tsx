import { useCallback, useState } from 'react';
import type { SalesOrder } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDocPages } from '../../hooks/useDocPages';
import { orderRef, statusLabel } from '../../lib/erp';
import { formatMoney } from '../../lib/money';
import { DocList } from './DocList';
import { OrderDetailView } from './OrderDetailView';
import { OrderForm } from './OrderForm';

/** What the right-hand pane shows; `account` preselects the customer of a new order. */
export type OrdersPane = { kind: 'empty' } | { kind: 'view'; id: string } | { kind: 'create'; account?: string };

interface OrdersScreenProps {
  version: number;
  onChanged: () => void;
  onOpenInvoice: (id: string) => void;
  /** What to show first (e.g. a new order for the account the user came from). */
  initialPane?: OrdersPane;
}

function OrderRow({ order }: { order: SalesOrder }) {
  return (
    <>
      <div className="account-row-line">
        <span className="account-name">{orderRef(order)}</span>
        <span className={`status-badge status-badge--${order.status}`}>{statusLabel(order.status)}</span>
      </div>
      <div className="account-row-line muted">
        <span className="account-place">
          {order.date} · {order.customer_name}
        </span>
        <span className="num">{formatMoney(order.totals.total, order.currency)}</span>
      </div>
    </>
  );
}

/** Sales orders: a key-paged list, one order's detail, and a form for a new one. */
export function OrdersScreen({ version, onChanged, onOpenInvoice, initialPane }: OrdersScreenProps) {
  const backend = useBackend();
  const [pane, setPane] = useState<OrdersPane>(initialPane ?? { kind: 'empty' });
  const fetchPage = useCallback((after: string | null, limit: number) => backend.erpOrders({ account: null, after, limit }), [backend]);
  const pages = useDocPages(fetchPage);

  return (
    <main className="workspace">
      <aside className="sidebar">
        <div className="sidebar-header">
          <h1>Orders</h1>
          <button
            id="new-order"
            type="button"
            className="button button--primary button--small"
            onClick={() => {
              setPane({ kind: 'create' });
            }}
          >
            New order
          </button>
        </div>
        <section className="list-pane" aria-label="Orders">
          <DocList
            label="Orders"
            testId="order-row"
            pages={pages}
            idOf={(o) => o.id}
            renderRow={(o) => <OrderRow order={o} />}
            selectedId={pane.kind === 'view' ? pane.id : null}
            onSelect={(id) => {
              setPane({ kind: 'view', id });
            }}
            version={version}
            emptyText="No orders yet."
          />
        </section>
      </aside>
      <section className="pane">
        {pane.kind === 'empty' && <div className="detail-empty muted">Select an order, or create a new one.</div>}
        {pane.kind === 'view' && (
          <OrderDetailView key={pane.id} id={pane.id} version={version} onChanged={onChanged} onOpenInvoice={onOpenInvoice} />
        )}
        {pane.kind === 'create' && (
          <OrderForm
            account={pane.account}
            onCreated={(id) => {
              setPane({ kind: 'view', id });
              onChanged();
            }}
            onCancel={() => {
              setPane({ kind: 'empty' });
            }}
          />
        )}
      </section>
    </main>
  );
}
