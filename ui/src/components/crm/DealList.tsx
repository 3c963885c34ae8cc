import { useCallback, useState } from 'react';
import type { Deal, Pipeline } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useDocPages } from '../../hooks/useDocPages';
import { dealBulkFields } from '../../lib/bulkEdit';
import { stageOf } from '../../lib/crm';
import { formatMoney } from '../../lib/money';
import { clickRow, NO_SELECTION } from '../../lib/selection';
import { DocList } from '../erp/DocList';
import { BulkEditBar } from './BulkEditBar';

interface DealListProps {
  pipeline: Pipeline;
  version: number;
  selectedId: string | null;
  onOpen: (deal: Deal) => void;
  /** After a bulk edit. */
  onChanged: () => void;
}

function DealRow({ deal, pipeline }: { deal: Deal; pipeline: Pipeline }) {
  const outcome = stageOf(pipeline, deal.stage)?.outcome ?? 'open';
  return (
    <div className="deal-list-row">
      <span className="account-name">{deal.name}</span>
      <span>
        <span className={`status-badge stage-badge--${outcome}`}>{deal.stage}</span>
      </span>
      <span className="num">{formatMoney(deal.amount.amount, deal.amount.currency)}</span>
      <span className="num">{deal.closed_on ?? deal.expected_close}</span>
      <span className="muted">{deal.owner}</span>
    </div>
  );
}

/**
 * The deals of one pipeline as a virtualised list, paged by key like the orders; checked rows
 * (click, shift-click, select all loaded) get a new owner, close date, team or stage at once.
 */
export function DealList({ pipeline, version, selectedId, onOpen, onChanged }: DealListProps) {
  const backend = useBackend();
  // The replica pages every deal; the other pipelines' deals are dropped page by page.
  const fetchPage = useCallback(
    async (after: string | null, limit: number) => {
      const page = await backend.crmDeals({ account: null, after, limit });
      return { items: page.items.filter((d) => d.pipeline === pipeline.id), next: page.next };
    },
    [backend, pipeline.id],
  );
  const pages = useDocPages(fetchPage);
  const byId = new Map(pages.state.items.map((d) => [d.id, d]));
  const order = pages.state.items.map((d) => d.id);
  const [selection, setSelection] = useState(NO_SELECTION);

  return (
    <section className="deal-list list-pane" aria-label={`${pipeline.name} deals`}>
      <BulkEditBar
        noun="deals"
        order={order}
        selection={selection}
        onSelection={setSelection}
        fields={dealBulkFields(pipeline)}
        apply={(ids, edit) => backend.crmBulkEditDeals(ids, edit)}
        onApplied={onChanged}
      />
      <div className="deal-list-row deal-list-head" aria-hidden="true">
        <span>Name</span>
        <span>Stage</span>
        <span className="num">Amount</span>
        <span className="num">Close date</span>
        <span>Owner</span>
      </div>
      <DocList
        label="Deals"
        testId="deal-row"
        pages={pages}
        idOf={(d) => d.id}
        renderRow={(d) => <DealRow deal={d} pipeline={pipeline} />}
        checks={{
          checked: selection.ids,
          labelOf: (d) => d.name,
          onClick: (id, shift) => {
            setSelection((s) => clickRow(s, order, id, shift));
          },
        }}
        selectedId={selectedId}
        onSelect={(id) => {
          const deal = byId.get(id);
          if (deal !== undefined) {
            onOpen(deal);
          }
        }}
        version={version}
        emptyText="No deals in this pipeline yet."
      />
    </section>
  );
}
