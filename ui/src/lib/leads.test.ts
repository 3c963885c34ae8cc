import { describe, expect, it } from 'vitest';
import type { LeadStatus } from '../backend';
import { convertOptions, emptyLeadForm, leadActions, leadCreateInput, reasonText, type ConvertFormValues } from './leads';

describe('capture and status', () => {
  it('sends the form trimmed', () => {
    const input = leadCreateInput({ ...emptyLeadForm(), company: ' Alster ', email: ' a@b.example ' });
    expect(input.company).toBe('Alster');
    expect(input.email).toBe('a@b.example');
    expect(input.source).toBe('web');
    expect(input.vatId).toBe('');
  });

  it('offers the steps a status allows', () => {
    const of = (state: LeadStatus) => leadActions(state);
    expect(of({ state: 'new' })).toEqual(['work', 'qualify', 'disqualify', 'convert']);
    expect(of({ state: 'working' })).toEqual(['qualify', 'disqualify', 'convert']);
    expect(of({ state: 'qualified' })).toEqual(['disqualify', 'convert']);
    expect(of({ state: 'disqualified', reason: 'no budget' })).toEqual(['reopen']);
    expect(of({ state: 'converted', account: 'a', contact: 'c', deal: null })).toEqual([]);
  });

  it('says why a record may be the lead', () => {
    expect(reasonText({ by: 'vat_id', value: 'DE811111111' })).toBe('same VAT id DE811111111');
    expect(reasonText({ by: 'company_name', value: 'hafenbau' })).toBe('same company name (hafenbau)');
  });
});

describe('convert options', () => {
  const base: ConvertFormValues = {
    pick: 'new',
    contactName: '',
    openDeal: false,
    dealName: 'Tablets',
    amount: '12000',
    currency: 'eur',
    expectedClose: '2026-09-30',
    pipeline: 'p1',
  };

  it('a new account is made anyway, without a deal unless asked', () => {
    expect(convertOptions(base)).toEqual({ intoAccount: null, newAnyway: true, contactName: null, deal: null, pipeline: null });
  });

  it('converts into an existing account with a deal', () => {
    const o = convertOptions({ ...base, pick: { account: 'a1' }, openDeal: true, contactName: ' Ina Kluge ' });
    expect(o).toEqual({
      intoAccount: 'a1',
      newAnyway: false,
      contactName: 'Ina Kluge',
      deal: { name: 'Tablets', amount: '12000', currency: 'EUR', expectedClose: '2026-09-30' },
      pipeline: 'p1',
    });
  });

  it('leaves blank deal fields to the backend defaults', () => {
    const o = convertOptions({ ...base, openDeal: true, dealName: ' ', amount: '', currency: '', pipeline: '' });
    expect(o.deal).toEqual({ name: null, amount: null, currency: null, expectedClose: '2026-09-30' });
    expect(o.pipeline).toBeNull();
  });
});
