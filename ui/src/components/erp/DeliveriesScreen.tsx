import { useCallback, useState } from 'react';
import type { Delivery } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDocPages } from '../../hooks/useDocPages';
import { deliveryTiming } from '../../lib/erp';
import { formatQty } from '../../lib/money';
import { DocList } from './DocList';

function DeliveryRow({ delivery }: { delivery: Delivery }) {
  const timing = deliveryTiming(delivery.promised, delivery.date);
  return (
    <>
      <div className="account-row-line">
        <span className="account-name">{delivery.number}</span>
        <span className={timing === 'late' ? 'warn-text' : 'muted'}>
          {delivery.date}
          {timing === 'late' && ` (promised ${delivery.promised ?? ''})`}
        </span>
      </div>
      <div className="account-row-line muted">
        <span className="account-place">
          {delivery.customer_name} · {delivery.order_number}
        </span>
        <span className="mono">{delivery.tracking ?? ''}</span>
      </div>
    </>
  );
}

function DeliveryDetail({ delivery }: { delivery: Delivery }) {
  const timing = deliveryTiming(delivery.promised, delivery.date);
  return (
    <article id="delivery-detail" className="detail" data-id={delivery.id}>
      <header className="detail-header">
        <div>
          <h2>Shipment {delivery.number}</h2>
          <p className="muted">
            {delivery.customer_name} · order {delivery.order_number} · {delivery.warehouse}
          </p>
        </div>
      </header>
      <dl className="facts">
        <dt>Promised</dt>
        <dd>{delivery.promised ?? '—'}</dd>
        <dt>Shipped</dt>
        <dd className={timing === 'late' ? 'warn-text' : undefined}>
          {delivery.date}
          {timing === 'late' && ' (late)'}
        </dd>
        <dt>Carrier</dt>
        <dd>{delivery.carrier ?? '—'}</dd>
        <dt>Tracking</dt>
        <dd className="mono">{delivery.tracking ?? '—'}</dd>
      </dl>
      <table className="data-table">
        <thead>
          <tr>
            <th>SKU</th>
            <th className="num">Qty</th>
          </tr>
        </thead>
        <tbody>
          {delivery.lines.map((l) => (
            <tr key={l.order_line}>
              <td className="mono">{l.sku}</td>
              <td className="num">{formatQty(l.qty)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

/** Shipments: a key-paged list with promise vs. actual date and tracking. */
export function DeliveriesScreen({ version }: { version: number }) {
  const backend = useBackend();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const fetchPage = useCallback((after: string | null, limit: number) => backend.erpDeliveries({ account: null, after, limit }), [backend]);
  const pages = useDocPages(fetchPage);
  const selected = pages.state.items.find((d) => d.id === selectedId);

  return (
    <main className="workspace">
      <aside className="sidebar">
        <div className="sidebar-header">
          <h1>Deliveries</h1>
        </div>
        <section className="list-pane" aria-label="Deliveries">
          <DocList
            label="Deliveries"
            testId="delivery-row"
            pages={pages}
            idOf={(d) => d.id}
            renderRow={(d) => <DeliveryRow delivery={d} />}
            selectedId={selectedId}
            onSelect={setSelectedId}
            version={version}
            emptyText="No shipments yet. Deliver an order to create one."
          />
        </section>
      </aside>
      <section className="pane">
        {selected === undefined ? <div className="detail-empty muted">Select a shipment.</div> : <DeliveryDetail delivery={selected} />}
      </section>
    </main>
  );
}
