import { describe, expect, it } from 'vitest';
import type { AccountRow } from '../backend';
import { accountCreateInput, accountFormValues, accountPatch, contactPatch, fieldSlug, isEmptyPatch } from './form';

const row: AccountRow = {
  id: '0190a0a0-0000-7000-8000-000000000001',
  name: 'Acme GmbH',
  vatId: 'DE123456789',
  email: null,
  phone: '+49 30 1234',
  city: 'Berlin',
  territory: 'north',
  contactCount: 2,
  pending: false,
  updatedAt: '2026-11-23T12:00:00Z',
};

describe('accountPatch', () => {
  it('sends nothing when nothing changed, so no edit of another device is overwritten', () => {
    const values = accountFormValues(row);
    expect(accountPatch(values, { ...values })).toEqual({});
    expect(isEmptyPatch(accountPatch(values, { ...values }))).toBe(true);
  });

  it('sends only the fields the user changed', () => {
    const values = accountFormValues(row);
    expect(accountPatch(values, { ...values, city: 'Hamburg' })).toEqual({ city: 'Hamburg' });
  });

  it("sends '' for a cleared optional field", () => {
    const values = accountFormValues(row);
    expect(accountPatch(values, { ...values, vatId: '', city: 'Köln' })).toEqual({ vatId: '', city: 'Köln' });
  });

  it('treats a null field and an empty input as the same value', () => {
    const values = accountFormValues(row);
    expect(values.email).toBe('');
    expect(accountPatch(values, { ...values, email: 'a@acme.test' })).toEqual({ email: 'a@acme.test' });
  });

  it('keeps whitespace edits: normalising values is the backend’s job', () => {
    const values = accountFormValues(row);
    expect(accountPatch(values, { ...values, name: 'Acme GmbH ' })).toEqual({ name: 'Acme GmbH ' });
  });
});

describe('accountPatch: territory', () => {
  it('sends a changed territory, and only it', () => {
    const values = accountFormValues(row);
    expect(values.territory).toBe('north');
    expect(accountPatch(values, { ...values, territory: 'south' })).toEqual({ territory: 'south' });
  });

  it('omits an unchanged territory when other fields change', () => {
    const values = accountFormValues(row);
    const patch = accountPatch(values, { ...values, city: 'Hamburg' });
    expect(patch).toEqual({ city: 'Hamburg' });
    expect('territory' in patch).toBe(false);
  });

  it("sends '' for a cleared territory", () => {
    const values = accountFormValues(row);
    expect(accountPatch(values, { ...values, territory: '' })).toEqual({ territory: '' });
  });

  it('sets a territory on an account that had none', () => {
    const values = accountFormValues({ ...row, territory: null });
    expect(values.territory).toBe('');
    expect(accountPatch(values, { ...values, territory: 'west' })).toEqual({ territory: 'west' });
    expect(isEmptyPatch(accountPatch(values, { ...values }))).toBe(true);
  });
});

describe('contactPatch', () => {
  it('sends only changed contact fields', () => {
    const before = { name: 'Ada', email: 'ada@acme.test', phone: '' };
    expect(contactPatch(before, { ...before, phone: '123' })).toEqual({ phone: '123' });
  });
});

describe('accountCreateInput', () => {
  it('sends every field on create, blanks included', () => {
    const values = { ...accountFormValues(null), name: 'New Co' };
    expect(accountCreateInput(values)).toEqual({ name: 'New Co', vatId: '', email: '', phone: '', city: '', territory: '' });
  });

  it('sends the territory on create', () => {
    const values = { ...accountFormValues(null), name: 'New Co', territory: 'north' };
    expect(accountCreateInput(values).territory).toBe('north');
  });
});

describe('fieldSlug', () => {
  it('maps camelCase input keys to the ids the forms use', () => {
    expect(fieldSlug('vatId')).toBe('vat-id');
    expect(fieldSlug('name')).toBe('name');
    expect(fieldSlug('territory')).toBe('territory');
  });
});
