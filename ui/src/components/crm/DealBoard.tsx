import { useState, type DragEvent } from 'react';
import type { Deal, Pipeline } from '../../backend';
import { useBackend } from '../../BackendContext';
import { boardColumns, formatSums, needsLostReason, probabilityLabel, sameStage, withDeal } from '../../lib/crm';
import { toAppError } from '../../lib/errors';
import { formatMoney } from '../../lib/money';
import { LostReasonDialog } from './LostReasonDialog';
import { BOARD_MAX_DEALS, useAccountNames, useAllDeals } from './useDealsData';

/** The drag payload's type: only our cards can be dropped on a column. */
const DEAL_MIME = 'application/x-tandem-deal';

interface DealBoardProps {
  pipeline: Pipeline;
  version: number;
  onChanged: () => void;
  onOpen: (deal: Deal) => void;
}

interface DealCardProps {
  deal: Deal;
  pipeline: Pipeline;
  accountName: string | undefined;
  moving: boolean;
  onMove: (deal: Deal, stage: string) => void;
  onOpen: (deal: Deal) => void;
  onDragStart: (id: string) => void;
  onDragEnd: () => void;
}

function DealCard({ deal, pipeline, accountName, moving, onMove, onOpen, onDragStart, onDragEnd }: DealCardProps) {
  const closed = deal.closed_on !== null;
  // WebKit fires no change for the option it last reported, even after React reset the select
  // to "Move to…": a fresh select per choice lets the user pick the same stage again (e.g. Lost
  // after cancelling its dialog).
  const [choice, setChoice] = useState(0);
  return (
    <article
      className={moving ? 'deal-card deal-card--moving' : 'deal-card'}
      data-testid="deal-card"
      data-deal-id={deal.id}
      draggable={!moving}
      aria-busy={moving}
      onDragStart={(e) => {
        e.dataTransfer.setData(DEAL_MIME, deal.id);
        e.dataTransfer.setData('text/plain', deal.name);
        e.dataTransfer.effectAllowed = 'move';
        onDragStart(deal.id);
      }}
      onDragEnd={onDragEnd}
    >
      <button
        type="button"
        className="deal-card-name link-button"
        onClick={() => {
          onOpen(deal);
        }}
      >
        {deal.name}
      </button>
      {accountName !== undefined && <div className="deal-card-account muted">{accountName}</div>}
      <div className="deal-card-line">
        <span className="num deal-card-amount">{formatMoney(deal.amount.amount, deal.amount.currency)}</span>
        <span className="muted deal-card-close" title={closed ? 'Closed on' : 'Expected close'}>
          {closed ? `closed ${deal.closed_on ?? ''}` : deal.expected_close}
        </span>
      </div>
      {deal.lost_reason !== null && <div className="deal-card-reason muted">{deal.lost_reason}</div>}
      <div className="deal-card-line">
        <span className="deal-card-owner" title="Owner">
          {deal.owner}
        </span>
        <select
          key={choice}
          className="deal-move"
          data-testid="deal-move"
          aria-label={`Move ${deal.name} to another stage`}
          value=""
          disabled={moving}
          onChange={(e) => {
            if (e.target.value !== '') {
              onMove(deal, e.target.value);
              setChoice((n) => n + 1);
            }
          }}
        >
          <option value="">Move to…</option>
          {pipeline.stages
            .filter((s) => !sameStage(s.name, deal.stage))
            .map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
        </select>
      </div>
    </article>
  );
}

/**
 * The kanban board of one pipeline: a column per stage with its count and amounts per currency.
 * A card moves by drag and drop or by its "Move to…" select; a lost stage first asks why. The
 * card changes column only when the backend accepted the move.
 */
export function DealBoard({ pipeline, version, onChanged, onOpen }: DealBoardProps) {
  const backend = useBackend();
  const loaded = useAllDeals(version);
  const accountNames = useAccountNames(version);
  // Moves accepted since the deals were read (the next read has them anyway).
  const [overlay, setOverlay] = useState<{ of: Deal[] | null; deals: Deal[] }>({ of: null, deals: [] });
  const deals = loaded.data !== null && overlay.of === loaded.data ? overlay.deals : (loaded.data ?? []);
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [moving, setMoving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [askLost, setAskLost] = useState<{ deal: Deal; stage: string } | null>(null);

  const send = async (deal: Deal, stage: string, lostReason: string | null) => {
    setMoving(deal.id);
    setError(null);
    try {
      const moved = await backend.crmMoveDeal(deal.id, stage, lostReason);
      setOverlay({ of: loaded.data, deals: withDeal(deals, moved) });
      onChanged();
    } finally {
      setMoving(null);
    }
  };

  const requestMove = (deal: Deal, stage: string) => {
    if (sameStage(deal.stage, stage)) {
      return;
    }
    if (needsLostReason(pipeline, stage)) {
      setAskLost({ deal, stage });
      return;
    }
    send(deal, stage, null).catch((e: unknown) => {
      setError(`“${deal.name}” was not moved: ${toAppError(e).message}`);
    });
  };

  const dropOn = (e: DragEvent, stage: string) => {
    e.preventDefault();
    setOver(null);
    const id = e.dataTransfer.getData(DEAL_MIME) || dragging;
    setDragging(null);
    const deal = deals.find((d) => d.id === id);
    if (deal !== undefined) {
      requestMove(deal, stage);
    }
  };

  const isDeal = (e: DragEvent) => dragging !== null || e.dataTransfer.types.includes(DEAL_MIME);

  if (loaded.error !== null) {
    return (
      <p className="form-error" role="alert">
        {loaded.error.message}
      </p>
    );
  }
  const columns = boardColumns(pipeline, deals);

  return (
    <div className="deal-board-wrap">
      {error !== null && (
        <div id="deal-move-error" className="notice notice--error deal-board-notice" role="alert">
          <span>{error}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => {
              setError(null);
            }}
          >
            ×
          </button>
        </div>
      )}
      {loaded.data !== null && loaded.data.length >= BOARD_MAX_DEALS && (
        <p className="notice notice--warn">The board shows the first {BOARD_MAX_DEALS.toLocaleString()} deals; the list view shows them all.</p>
      )}
      <div className="deal-board" aria-busy={loaded.data === null} aria-label={`${pipeline.name} board`}>
        {columns.map((col) => {
          const name = col.stage.name;
          return (
            <section
              key={name}
              className={[
                'stage-column',
                `stage-column--${col.stage.outcome}`,
                over === name ? 'stage-column--over' : '',
              ].join(' ')}
              data-testid="stage-column"
              data-stage={name}
              aria-label={name}
              onDragOver={(e) => {
                if (isDeal(e)) {
                  e.preventDefault();
                  e.dataTransfer.dropEffect = 'move';
                  setOver(name);
                }
              }}
              onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node | null)) {
                  setOver((o) => (o === name ? null : o));
                }
              }}
              onDrop={(e) => {
                dropOn(e, name);
              }}
            >
              <header className="stage-column-header">
                <div className="stage-column-title">
                  <h2>{name}</h2>
                  <span className="stage-count" data-testid="stage-count">
                    {col.count}
                  </span>
                  <span className="muted stage-probability">{probabilityLabel(col.stage)}</span>
                </div>
                <div className="stage-sum num" data-testid="stage-sum">
                  {formatSums(col.sums)}
                </div>
              </header>
              <div className="stage-column-body">
                {col.deals.map((d) => (
                  <DealCard
                    key={d.id}
                    deal={d}
                    pipeline={pipeline}
                    accountName={accountNames.get(d.account)}
                    moving={moving === d.id}
                    onMove={requestMove}
                    onOpen={onOpen}
                    onDragStart={setDragging}
                    onDragEnd={() => {
                      setDragging(null);
                      setOver(null);
                    }}
                  />
                ))}
                {col.count === 0 && <p className="stage-empty muted">{loaded.data === null ? 'Loading…' : 'No deals'}</p>}
              </div>
            </section>
          );
        })}
      </div>
      {askLost !== null && (
        <LostReasonDialog
          dealName={askLost.deal.name}
          stage={askLost.stage}
          onSubmit={async (reason) => {
            await send(askLost.deal, askLost.stage, reason);
            setAskLost(null);
          }}
          onCancel={() => {
            setAskLost(null);
          }}
        />
      )}
    </div>
  );
}
