import { describe, expect, it } from 'vitest';
import type { Pipeline } from '../backend';
import { bulkPatch, dealBulkFields, emptyBulkValues, isEmptyPatch, LEAD_BULK_FIELDS } from './bulkEdit';

const PIPELINE: Pipeline = {
  id: 'p1',
  name: 'Field sales',
  stages: [
    { name: 'Qualify', probability: '10', outcome: 'open', forecast_category: 'pipeline' },
    { name: 'Won', probability: '100', outcome: 'won', forecast_category: 'closed' },
  ],
};

describe('bulk edit', () => {
  it('sends only the fields given a value, trimmed', () => {
    const values = { ...emptyBulkValues(dealBulkFields(PIPELINE)), owner: ' mia ', stage: 'Won' };
    expect(bulkPatch(values)).toEqual({ owner: 'mia', stage: 'Won' });
  });

  it('has nothing to send while every field is blank', () => {
    expect(isEmptyPatch(bulkPatch(emptyBulkValues(LEAD_BULK_FIELDS)))).toBe(true);
    expect(isEmptyPatch(bulkPatch({ owner: '  ', territory: 'North' }))).toBe(false);
  });

  it('offers the stages of the list pipeline, after one that keeps the stage', () => {
    const stage = dealBulkFields(PIPELINE).find((f) => f.key === 'stage');
    expect(stage?.options?.map((o) => o.value)).toEqual(['', 'Qualify', 'Won']);
    expect(LEAD_BULK_FIELDS.map((f) => f.key)).toEqual(['owner', 'territory']);
  });
});
