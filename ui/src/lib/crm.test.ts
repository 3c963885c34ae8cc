import { describe, expect, it } from 'vitest';
import type { Deal, Forecast, ForecastFigures, Pipeline } from '../backend';
import {
  boardColumns,
  canManagePipelines,
  dealCreateInput,
  emptyDealForm,
  forecastPeriods,
  forecastRowLabel,
  formatSums,
  isoDayAfter,
  needsLostReason,
  probabilityLabel,
  sumByCurrency,
  withDeal,
} from './crm';

const PIPELINE: Pipeline = {
  id: 'p1',
  name: 'Field sales',
  stages: [
    { name: 'Qualify', probability: '10', outcome: 'open', forecast_category: 'pipeline' },
    { name: 'Propose', probability: '40', outcome: 'open', forecast_category: 'best_case' },
    { name: 'Negotiate', probability: '70', outcome: 'open', forecast_category: 'commit' },
    { name: 'Won', probability: '100', outcome: 'won', forecast_category: 'closed' },
    { name: 'Lost', probability: '0', outcome: 'lost', forecast_category: 'omitted' },
  ],
};

function deal(id: string, stage: string, amount: string, currency = 'EUR', close = '2026-12-01', pipeline = 'p1'): Deal {
  return {
    id,
    name: `Deal ${id}`,
    account: 'a1',
    contact: null,
    pipeline,
    stage,
    amount: { amount, currency },
    expected_close: close,
    owner: 'carla',
    team: null,
    lost_reason: null,
    closed_on: null,
    created: '2026-11-01',
    lead: null,
    renews: null,
  };
}

describe('boardColumns', () => {
  it('has one column per stage in the pipeline order, with counts and exact sums per currency', () => {
    const columns = boardColumns(PIPELINE, [
      deal('1', 'Qualify', '0.1'),
      deal('2', 'qualify', '0.2'),
      deal('3', 'Qualify', '100', 'USD'),
      deal('4', 'Propose', '12000'),
    ]);
    expect(columns.map((c) => c.stage.name)).toEqual(['Qualify', 'Propose', 'Negotiate', 'Won', 'Lost']);
    expect(columns.map((c) => c.count)).toEqual([3, 1, 0, 0, 0]);
    // 0.1 + 0.2 stays 0.30: no float on the way.
    expect(columns[0]?.sums).toEqual([
      { currency: 'EUR', amount: '0.30' },
      { currency: 'USD', amount: '100.00' },
    ]);
    expect(columns[2]?.sums).toEqual([]);
  });

  it('puts the soonest close first and leaves out deals of other pipelines', () => {
    const columns = boardColumns(PIPELINE, [
      deal('late', 'Propose', '1', 'EUR', '2027-01-10'),
      deal('soon', 'Propose', '1', 'EUR', '2026-11-15'),
      deal('other', 'Propose', '1', 'EUR', '2026-11-01', 'p2'),
    ]);
    expect(columns[1]?.deals.map((d) => d.id)).toEqual(['soon', 'late']);
  });
});

describe('sums', () => {
  it('rounds to each currency’s minor unit and formats them side by side', () => {
    const sums = sumByCurrency([
      { amount: '1000', currency: 'JPY' },
      { amount: '1234.5', currency: 'EUR' },
      { amount: '0.001', currency: 'KWD' },
    ]);
    expect(sums).toEqual([
      { currency: 'EUR', amount: '1234.50' },
      { currency: 'JPY', amount: '1000' },
      { currency: 'KWD', amount: '0.001' },
    ]);
    expect(formatSums(sums)).toBe('1,234.50 EUR · 1,000 JPY · 0.001 KWD');
    expect(formatSums([])).toBe('—');
  });
});

describe('stages', () => {
  it('asks for a lost reason only for a lost stage, by name without regard to case', () => {
    expect(needsLostReason(PIPELINE, 'Lost')).toBe(true);
    expect(needsLostReason(PIPELINE, 'lost')).toBe(true);
    expect(needsLostReason(PIPELINE, 'Won')).toBe(false);
    expect(needsLostReason(PIPELINE, 'Nowhere')).toBe(false);
    expect(probabilityLabel({ name: 'x', probability: '40.00', outcome: 'open', forecast_category: 'pipeline' })).toBe('40 %');
  });

  it('replaces a moved deal by its new self', () => {
    const before = [deal('1', 'Qualify', '5'), deal('2', 'Qualify', '7')];
    const after = withDeal(before, { ...deal('2', 'Propose', '7') });
    expect(after.map((d) => d.stage)).toEqual(['Qualify', 'Propose']);
    expect(withDeal(before, deal('3', 'Won', '1'))).toHaveLength(3);
  });
});

describe('forecast', () => {
  const figures = (weighted: string): ForecastFigures => ({
    open_pipeline: '0',
    weighted,
    best_case: '0',
    commit: '0',
    closed_won: '0',
    open_deals: 1,
    won_deals: 0,
  });
  const forecast: Forecast = {
    currency: 'EUR',
    rows: [
      { period: { start: '2026-11-01', label: '2026-11' }, group: { group: 'owner', name: 'anna' }, figures: figures('1') },
      { period: { start: '2026-11-01', label: '2026-11' }, group: { group: 'owner', name: 'bob' }, figures: figures('2') },
      { period: { start: '2026-11-01', label: '2026-11' }, group: { group: 'total' }, figures: figures('3') },
      { period: { start: '2026-12-01', label: '2026-12' }, group: { group: 'team', name: null }, figures: figures('4') },
      { period: { start: '2026-12-01', label: '2026-12' }, group: { group: 'total' }, figures: figures('4') },
    ],
  };

  it('groups rows by period with the totals row apart', () => {
    const periods = forecastPeriods(forecast);
    expect(periods.map((p) => p.label)).toEqual(['2026-11', '2026-12']);
    expect(periods[0]?.rows.map((r) => forecastRowLabel(r.group))).toEqual(['anna', 'bob']);
    expect(periods[0]?.total?.figures.weighted).toBe('3');
    expect(periods[1]?.rows.map((r) => forecastRowLabel(r.group))).toEqual(['No team']);
    expect(forecastPeriods({ currency: 'EUR', rows: [] })).toEqual([]);
  });

  it('labels owners, teams and the total', () => {
    expect(forecastRowLabel({ group: 'owner', name: 'carla' })).toBe('carla');
    expect(forecastRowLabel({ group: 'team', name: 'Key Accounts' })).toBe('Key Accounts');
    expect(forecastRowLabel({ group: 'total' })).toBe('Total');
  });
});

describe('the deal form', () => {
  it('starts in the first open stage and closes in 30 days', () => {
    const values = emptyDealForm(PIPELINE, new Date(2026, 11, 15), 'a1');
    expect(values).toMatchObject({ account: 'a1', stage: 'Qualify', expectedClose: '2027-01-14' });
    expect(emptyDealForm(null, new Date(2026, 0, 1)).stage).toBe('');
    expect(isoDayAfter(new Date(2026, 1, 27), 2)).toBe('2026-03-01');
  });

  it('sends every field trimmed, the currency in capitals', () => {
    expect(
      dealCreateInput({
        account: 'a1',
        name: '  Fleet tablets ',
        amount: ' 12000 ',
        currency: 'eur',
        expectedClose: '2026-12-15',
        stage: 'Qualify',
        owner: '',
        lostReason: '',
      }),
    ).toEqual({
      name: 'Fleet tablets',
      amount: '12000',
      currency: 'EUR',
      expectedClose: '2026-12-15',
      stage: 'Qualify',
      owner: '',
      lostReason: '',
    });
  });
});

describe('canManagePipelines', () => {
  it('offers pipeline set-up to managers and admins (and in a local workspace)', () => {
    expect(canManagePipelines('sales_manager')).toBe(true);
    expect(canManagePipelines('admin')).toBe(true);
    expect(canManagePipelines(null)).toBe(true);
    expect(canManagePipelines('sales_rep')).toBe(false);
    expect(canManagePipelines('warehouse')).toBe(false);
  });
});
