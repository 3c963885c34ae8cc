// Pure presentation logic of the Deals screen. The backend decides every rule (which stages
// exist, what a lost stage needs, the forecast figures); this only arranges deals on the board,
// adds amounts per currency (big.js, never floats), labels rows and builds the form input.
import Big from 'big.js';
import type { Deal, DealInput, Forecast, ForecastGroup, ForecastRow, MoneyValue, Pipeline, Stage } from '../backend';
import { formatMoney, minorUnits, parseDecimal } from './money';

/** Stage names are unique within a pipeline without regard to case ("won" is "Won"). */
export function sameStage(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function stageOf(pipeline: Pipeline, name: string): Stage | undefined {
  return pipeline.stages.find((s) => sameStage(s.name, name));
}

/** Moving to a lost stage needs a reason; the user is asked before the move is sent. */
export function needsLostReason(pipeline: Pipeline, stage: string): boolean {
  return stageOf(pipeline, stage)?.outcome === 'lost';
}

/** Where a new deal starts when no stage is chosen: the first open stage. */
export function firstOpenStage(pipeline: Pipeline): Stage | undefined {
  return pipeline.stages.find((s) => s.outcome === 'open');
}

/** `40` → `40 %`. */
export function probabilityLabel(stage: Stage): string {
  const p = parseDecimal(stage.probability);
  return `${p === null ? stage.probability : p.toFixed()} %`;
}

/**
 * Exact sums of `amounts`, one per currency, sorted by currency; each at the currency's minor
 * unit. An unparsable amount counts as 0 (the backend never sends one).
 */
export function sumByCurrency(amounts: readonly MoneyValue[]): MoneyValue[] {
  const sums = new Map<string, Big>();
  for (const { amount, currency } of amounts) {
    sums.set(currency, (sums.get(currency) ?? new Big(0)).plus(parseDecimal(amount) ?? 0));
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, sum]) => ({ currency, amount: sum.toFixed(minorUnits(currency)) }));
}

/** `1,000.00 EUR · 250.00 USD`; `—` for none. */
export function formatSums(sums: readonly MoneyValue[]): string {
  return sums.length === 0 ? '—' : sums.map((s) => formatMoney(s.amount, s.currency)).join(' · ');
}

export interface BoardColumn {
  stage: Stage;
  deals: Deal[];
  count: number;
  /** Per currency, sorted by currency. */
  sums: MoneyValue[];
}

/** Soonest expected close first, then by name. */
function byClose(a: Deal, b: Deal): number {
  return a.expected_close.localeCompare(b.expected_close) || a.name.localeCompare(b.name);
}

/**
 * The kanban board of `pipeline`: one column per stage in the pipeline's order, with its deals
 * (soonest close first), their count and their amounts summed per currency. Deals of other
 * pipelines are left out.
 */
export function boardColumns(pipeline: Pipeline, deals: readonly Deal[]): BoardColumn[] {
  const mine = deals.filter((d) => d.pipeline === pipeline.id);
  return pipeline.stages.map((stage) => {
    const inStage = mine.filter((d) => sameStage(d.stage, stage.name)).sort(byClose);
    return { stage, deals: inStage, count: inStage.length, sums: sumByCurrency(inStage.map((d) => d.amount)) };
  });
}

/** The deals after `moved` came back from the backend: it replaces its old self (or is added). */
export function withDeal(deals: readonly Deal[], moved: Deal): Deal[] {
  return deals.some((d) => d.id === moved.id) ? deals.map((d) => (d.id === moved.id ? moved : d)) : [...deals, moved];
}

/** A forecast row's label: the owner, the team (`No team` for deals without one), or `Total`. */
export function forecastRowLabel(group: ForecastGroup): string {
  switch (group.group) {
    case 'owner':
      return group.name;
    case 'team':
      return group.name ?? 'No team';
    case 'total':
      return 'Total';
  }
}

export interface ForecastPeriod {
  label: string;
  start: string;
  /** Owners or teams, in the backend's order. */
  rows: ForecastRow[];
  /** The period's totals row; null if the backend sent none. */
  total: ForecastRow | null;
}

/** The forecast's rows by period (in the backend's order), each with its totals row apart. */
export function forecastPeriods(forecast: Forecast): ForecastPeriod[] {
  const periods: ForecastPeriod[] = [];
  for (const row of forecast.rows) {
    let period = periods.at(-1);
    if (period?.label !== row.period.label) {
      period = { label: row.period.label, start: row.period.start, rows: [], total: null };
      periods.push(period);
    }
    if (row.group.group === 'total') {
      period.total = row;
    } else {
      period.rows.push(row);
    }
  }
  return periods;
}

export const DEAL_FIELDS = ['account', 'name', 'amount', 'currency', 'expectedClose', 'stage', 'owner', 'lostReason'] as const;
export type DealField = (typeof DEAL_FIELDS)[number];
export type DealFormValues = Record<DealField, string>;

/** `YYYY-MM-DD` of the local day `days` after `today`. */
export function isoDayAfter(today: Date, days: number): string {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A blank form: the first open stage, closing in 30 days (Salesforce asks for a close date). */
export function emptyDealForm(pipeline: Pipeline | null, today: Date, account = ''): DealFormValues {
  return {
    account,
    name: '',
    amount: '',
    currency: '',
    expectedClose: isoDayAfter(today, 30),
    stage: pipeline === null ? '' : (firstOpenStage(pipeline)?.name ?? ''),
    owner: '',
    lostReason: '',
  };
}

/** What is sent on create: every field trimmed; blank means "no value" (the backend's default). */
export function dealCreateInput(values: DealFormValues): DealInput {
  const text = (v: string) => v.trim();
  return {
    name: text(values.name),
    amount: text(values.amount),
    currency: text(values.currency).toUpperCase(),
    expectedClose: text(values.expectedClose),
    stage: text(values.stage),
    owner: text(values.owner),
    lostReason: text(values.lostReason),
  };
}

/** Pipelines are set up by sales managers and admins (the server decides; this only hides the button). */
export function canManagePipelines(role: string | null | undefined): boolean {
  return role === null || role === undefined || role === 'admin' || role === 'sales_manager';
}

export type DealsView = 'board' | 'list' | 'forecast';

export const DEALS_VIEW_LABEL: Record<DealsView, string> = {
  board: 'Board',
  list: 'List',
  forecast: 'Forecast',
};
