import { useCallback, useState } from 'react';
import type { Deal } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { canManagePipelines, DEALS_VIEW_LABEL, type DealsView } from '../../lib/crm';
import { useSession } from '../../SessionContext';
import { CsvActions } from './CsvActions';
import { DealBoard } from './DealBoard';
import { DealDetail } from './DealDetail';
import { DealForm } from './DealForm';
import { DealList } from './DealList';
import { ForecastView } from './ForecastView';
import { PipelineDialog } from './PipelineDialog';
import { useAccountNames } from './useDealsData';

const VIEWS: DealsView[] = ['board', 'list', 'forecast'];

type Dialog = { kind: 'none' } | { kind: 'new-deal' } | { kind: 'new-pipeline' } | { kind: 'deal'; id: string };

interface DealsScreenProps {
  version: number;
  onChanged: () => void;
}

/** Deals of a pipeline as a kanban board or a list, and the forecast; a form for a new deal. */
export function DealsScreen({ version, onChanged }: DealsScreenProps) {
  const backend = useBackend();
  const session = useSession();
  const manager = canManagePipelines(session?.role);
  const loadPipelines = useCallback(() => backend.crmPipelines(), [backend]);
  const pipelines = useLoaded(loadPipelines, version);
  const accountNames = useAccountNames(version);
  const [chosen, setChosen] = useState<string | null>(null);
  const [view, setView] = useState<DealsView>('board');
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });
  const list = pipelines.data ?? [];
  const pipeline = list.find((p) => p.id === chosen) ?? list[0] ?? null;
  const close = useCallback(() => {
    setDialog({ kind: 'none' });
  }, []);
  const open = (deal: Deal) => {
    setDialog({ kind: 'deal', id: deal.id });
  };

  return (
    <section className="screen deals-screen" aria-labelledby="deals-title">
      <header className="screen-header">
        <div className="deals-title">
          <h1 id="deals-title">Deals</h1>
          {list.length > 1 && (
            <select
              id="deal-pipeline"
              aria-label="Pipeline"
              value={pipeline?.id ?? ''}
              onChange={(e) => {
                setChosen(e.target.value);
              }}
            >
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
          {list.length === 1 && pipeline !== null && <span className="muted">{pipeline.name}</span>}
        </div>
        <div className="tabs" role="tablist" aria-label="View">
          {VIEWS.map((v) => (
            <button
              key={v}
              id={`deals-view-${v}`}
              type="button"
              role="tab"
              aria-selected={v === view}
              className={v === view ? 'tab tab--active' : 'tab'}
              onClick={() => {
                setView(v);
              }}
            >
              {DEALS_VIEW_LABEL[v]}
            </button>
          ))}
        </div>
        <div className="detail-actions">
          <CsvActions entities={['deal']} pipelines={list} pipeline={pipeline?.id ?? null} onChanged={onChanged} />
          {manager && (
            <button
              id="new-pipeline"
              type="button"
              className="button button--small"
              onClick={() => {
                setDialog({ kind: 'new-pipeline' });
              }}
            >
              New pipeline
            </button>
          )}
          <button
            id="new-deal"
            type="button"
            className="button button--primary button--small"
            disabled={pipeline === null}
            onClick={() => {
              setDialog({ kind: 'new-deal' });
            }}
          >
            New deal
          </button>
        </div>
      </header>
      {pipelines.error !== null && (
        <p className="form-error" role="alert">
          {pipelines.error.message}
        </p>
      )}
      {pipelines.data !== null && pipeline === null && view !== 'forecast' && (
        <div className="detail-empty muted" id="no-pipeline">
          <p>There is no pipeline yet. A sales manager sets one up; it starts with the standard stages.</p>
          {manager && (
            <button
              type="button"
              className="button button--primary"
              onClick={() => {
                setDialog({ kind: 'new-pipeline' });
              }}
            >
              Create a pipeline
            </button>
          )}
        </div>
      )}
      {pipeline !== null && view === 'board' && (
        <DealBoard key={pipeline.id} pipeline={pipeline} version={version} onChanged={onChanged} onOpen={open} />
      )}
      {pipeline !== null && view === 'list' && (
        <DealList
          key={pipeline.id}
          pipeline={pipeline}
          version={version}
          selectedId={dialog.kind === 'deal' ? dialog.id : null}
          onOpen={open}
          onChanged={onChanged}
        />
      )}
      {view === 'forecast' && <ForecastView version={version} />}
      {dialog.kind === 'new-deal' && pipeline !== null && (
        <DealForm
          pipeline={pipeline}
          onCreated={() => {
            close();
            onChanged();
          }}
          onCancel={close}
        />
      )}
      {dialog.kind === 'new-pipeline' && (
        <PipelineDialog
          onCreated={(id) => {
            setChosen(id);
            close();
            onChanged();
          }}
          onCancel={close}
        />
      )}
      {dialog.kind === 'deal' && pipeline !== null && (
        <DealDetail
          key={dialog.id}
          id={dialog.id}
          pipeline={pipeline}
          accountNames={accountNames}
          version={version}
          onClose={close}
        />
      )}
    </section>
  );
}
