// The bulk-edit bar of the deals and leads lists: which fields it offers and what it sends.
// A blank field is left as it is on every selected record; the backend checks each value and
// changes all the records or none.
import type { BulkDealEdit, BulkLeadEdit, Pipeline } from '../backend';

export interface BulkField<K extends string> {
  key: K;
  label: string;
  /** `select`: one of `options`; the first option (blank) leaves the field as it is. */
  kind: 'text' | 'date' | 'select';
  options?: readonly { value: string; label: string }[];
}

export type BulkValues<K extends string> = Record<K, string>;

export function emptyBulkValues<K extends string>(fields: readonly BulkField<K>[]): BulkValues<K> {
  return Object.fromEntries(fields.map((f) => [f.key, ''])) as BulkValues<K>;
}

/** Only the fields given a value, trimmed (blank: unchanged). */
export function bulkPatch<K extends string>(values: BulkValues<K>): Partial<Record<K, string>> {
  const patch: Partial<Record<K, string>> = {};
  for (const key of Object.keys(values) as K[]) {
    const v = values[key].trim();
    if (v !== '') {
      patch[key] = v;
    }
  }
  return patch;
}

export function isEmptyPatch(patch: object): boolean {
  return Object.keys(patch).length === 0;
}

export type DealBulkKey = keyof BulkDealEdit;
export type LeadBulkKey = keyof BulkLeadEdit;

/** Owner, close date, team, and a stage of the list's pipeline (the deals move there). */
export function dealBulkFields(pipeline: Pipeline): BulkField<DealBulkKey>[] {
  return [
    { key: 'owner', label: 'Owner', kind: 'text' },
    { key: 'expectedClose', label: 'Close date', kind: 'date' },
    { key: 'team', label: 'Team', kind: 'text' },
    {
      key: 'stage',
      label: 'Stage',
      kind: 'select',
      options: [{ value: '', label: 'Keep the stage' }, ...pipeline.stages.map((s) => ({ value: s.name, label: s.name }))],
    },
  ];
}

export const LEAD_BULK_FIELDS: readonly BulkField<LeadBulkKey>[] = [
  { key: 'owner', label: 'Owner', kind: 'text' },
  { key: 'territory', label: 'Territory', kind: 'text' },
];
