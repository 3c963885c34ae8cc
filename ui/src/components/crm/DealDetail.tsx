import { useCallback } from 'react';
import type { Pipeline } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { probabilityLabel, stageOf } from '../../lib/crm';
import { formatMoney } from '../../lib/money';
import { Modal } from '../Modal';

interface DealDetailProps {
  id: string;
  pipeline: Pipeline;
  accountNames: Map<string, string>;
  version: number;
  onClose: () => void;
}

/** One deal's facts, read from the device. */
export function DealDetail({ id, pipeline, accountNames, version, onClose }: DealDetailProps) {
  const backend = useBackend();
  const load = useCallback(() => backend.crmDeal(id), [backend, id]);
  const { data: deal, error } = useLoaded(load, version);
  const stage = deal === null ? undefined : stageOf(pipeline, deal.stage);

  return (
    <Modal title={deal?.name ?? 'Deal'} titleId="deal-detail-title" onClose={onClose}>
      {error !== null && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {deal !== null && (
        <dl id="deal-detail" className="facts">
          <dt>Customer</dt>
          <dd>{accountNames.get(deal.account) ?? deal.account}</dd>
          <dt>Stage</dt>
          <dd>
            {deal.stage}
            {stage === undefined ? '' : ` (${probabilityLabel(stage)})`}
          </dd>
          <dt>Amount</dt>
          <dd>{formatMoney(deal.amount.amount, deal.amount.currency)}</dd>
          <dt>Expected close</dt>
          <dd>{deal.expected_close}</dd>
          {deal.closed_on !== null && (
            <>
              <dt>Closed on</dt>
              <dd>{deal.closed_on}</dd>
            </>
          )}
          {deal.lost_reason !== null && (
            <>
              <dt>Lost because</dt>
              <dd>{deal.lost_reason}</dd>
            </>
          )}
          <dt>Owner</dt>
          <dd>{deal.owner}</dd>
          <dt>Team</dt>
          <dd>{deal.team ?? '—'}</dd>
          <dt>Created</dt>
          <dd>{deal.created}</dd>
        </dl>
      )}
    </Modal>
  );
}
