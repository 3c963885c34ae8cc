import { describe, expect, it } from 'vitest';
import type { Conflict } from '../backend';
import { conflictCount, conflictsOfAccount, fieldLabel, showValue, unresolvedConflicts } from './conflicts';

const conflict = (over: Partial<Conflict>): Conflict => ({
  id: 'c1',
  entity: 'account',
  recordId: 'a1',
  accountId: 'a1',
  recordName: 'Acme',
  field: 'city',
  kept: 'Berlin',
  overwritten: 'Bonn',
  keptBy: 'ada',
  overwrittenBy: 'bob',
  at: '2026-01-01T10:00:00Z',
  resolvedBy: null,
  resolution: null,
  ...over,
});

describe('fieldLabel', () => {
  it('names the core fields', () => {
    expect(fieldLabel('name')).toBe('Name');
    expect(fieldLabel('vat_id')).toBe('VAT id');
    expect(fieldLabel('email')).toBe('E-mail');
    expect(fieldLabel('phone')).toBe('Phone');
    expect(fieldLabel('city')).toBe('City');
    expect(fieldLabel('territory')).toBe('Territory');
  });

  it('reads unknown fields as words', () => {
    expect(fieldLabel('account_id')).toBe('Account id');
  });
});

describe('conflict selection', () => {
  const list = [
    conflict({ id: 'old', at: '2026-01-01T09:00:00Z' }),
    conflict({ id: 'done', resolution: 'current', resolvedBy: 'ada' }),
    conflict({ id: 'new', at: '2026-01-02T09:00:00Z', entity: 'contact', recordId: 'k1', accountId: 'a2' }),
  ];

  it('counts only unresolved conflicts', () => {
    expect(conflictCount(list)).toBe(2);
    expect(conflictCount([])).toBe(0);
    expect(conflictCount(undefined)).toBe(0);
  });

  it('lists unresolved ones newest first', () => {
    expect(unresolvedConflicts(list).map((c) => c.id)).toEqual(['new', 'old']);
  });

  it('selects an account and its contacts', () => {
    expect(conflictsOfAccount(list, 'a1').map((c) => c.id)).toEqual(['old']);
    expect(conflictsOfAccount(list, 'a2').map((c) => c.id)).toEqual(['new']);
    expect(conflictsOfAccount(list, 'zz')).toEqual([]);
  });

  it('shows a dash for no value', () => {
    expect(showValue(null)).toBe('—');
    expect(showValue('')).toBe('—');
    expect(showValue('x')).toBe('x');
  });
});
