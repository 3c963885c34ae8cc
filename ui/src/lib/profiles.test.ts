import { describe, expect, it } from 'vitest';
import type { AccountDuplicate, FieldDef } from '../backend';
import {
  customDisplay,
  customHint,
  duplicatesOf,
  mergeArgs,
  mergeSummary,
  profileErrors,
  profileFormValues,
  profileInput,
  reasonsText,
  splitTags,
} from './profiles';

const def = (key: string, label: string, kind: FieldDef['kind'], required = false): FieldDef => ({
  id: key,
  entity: 'account',
  key,
  label,
  kind,
  required,
});

const DEFS: FieldDef[] = [
  def('segment', 'Segment', { type: 'choice', options: ['SMB', 'Enterprise'] }),
  def('budget', 'Budget', { type: 'money', currency: 'EUR' }),
  def('since', 'Customer since', { type: 'date' }),
  def('staff', 'Staff', { type: 'number', scale: 0 }),
];

describe('the profile form', () => {
  const original = profileFormValues({ owner: 'anna', tags: ['fair 2026', 'Key account'], custom: { segment: 'SMB' } }, DEFS);

  it('opens with the profile, one entry per custom field', () => {
    expect(original).toEqual({
      owner: 'anna',
      tags: 'fair 2026, Key account',
      custom: { segment: 'SMB', budget: '', since: '', staff: '' },
    });
    expect(profileFormValues(undefined, []).custom).toEqual({});
  });

  it('sends only what changed, so edits made elsewhere to other fields survive', () => {
    expect(profileInput(original, { ...original })).toEqual({});
    expect(profileInput(original, { ...original, owner: ' ben ' })).toEqual({ owner: 'ben' });
    expect(profileInput(original, { ...original, custom: { ...original.custom, budget: '1200.50' } })).toEqual({
      custom: { budget: '1200.50' },
    });
  });

  it('sends a blank to clear a field', () => {
    expect(profileInput(original, { ...original, owner: '', tags: ' ', custom: { ...original.custom, segment: '' } })).toEqual({
      owner: '',
      tags: '',
      custom: { segment: '' },
    });
  });

  it('does not count reordered or respaced tags as a change', () => {
    expect(profileInput(original, { ...original, tags: 'key account,fair 2026,' })).toEqual({});
    expect(profileInput(original, { ...original, tags: 'fair 2026, Key account, vip' })).toEqual({ tags: 'fair 2026, Key account, vip' });
  });

  it('reads a tag text once per tag, whatever the case', () => {
    expect(splitTags(' a , B,, b ,c ')).toEqual(['a', 'B', 'c']);
  });
});

describe('refusals on the form', () => {
  it('puts each message under its field: custom values by label or key, tag edits under tags', () => {
    const errors = profileErrors(
      {
        code: 'validation',
        message: 'invalid',
        fields: [
          { field: 'owner', message: 'is too long' },
          { field: 'addTags', message: 'a tag cannot contain a comma' },
          { field: 'Budget', message: '"x" is not a number' },
          { field: 'staff', message: 'is not a whole number' },
        ],
      },
      DEFS,
    );
    expect(errors).toEqual({
      owner: 'is too long',
      tags: 'a tag cannot contain a comma',
      custom: { budget: '"x" is not a number', staff: 'is not a whole number' },
      general: null,
    });
  });

  it('shows what names no field of the form, or the message when nothing does', () => {
    expect(
      profileErrors({ code: 'validation', message: 'x', fields: [{ field: 'tags', message: 't' }, { field: 'nope', message: 'is not a custom field' }] }, DEFS)
        .general,
    ).toBe('nope: is not a custom field');
    expect(profileErrors({ code: 'forbidden', message: 'Not your territory.' }, DEFS).general).toBe('Not your territory.');
  });

  it('hints while typing, by kind', () => {
    const [segment, budget, since, staff] = DEFS as [FieldDef, FieldDef, FieldDef, FieldDef];
    expect(customHint(since, '2026-13')).toBe('Write the date as YYYY-MM-DD.');
    expect(customHint(since, '2026-01-31')).toBeNull();
    expect(customHint(budget, '12.5 eur')).toBeNull();
    expect(customHint(budget, 'twelve')).toBe('Not an amount in EUR.');
    expect(customHint(staff, '1e')).toBe('Not a number.');
    expect(customHint(segment, '')).toBeNull();
    expect(customHint({ ...segment, required: true }, ' ')).toBe('Required.');
  });

  it('shows money with its currency', () => {
    const [segment, budget] = DEFS as [FieldDef, FieldDef];
    expect(customDisplay(budget, '1200.5')).toBe('1,200.50 EUR');
    expect(customDisplay(segment, 'SMB')).toBe('SMB');
  });
});

describe('duplicates and merges', () => {
  const pairs: AccountDuplicate[] = [
    { first: 'a', firstName: 'Alster GmbH', second: 'b', secondName: 'Alster', reasons: [{ by: 'company_name', value: 'alster' }] },
    { first: 'c', firstName: 'Elbe AG', second: 'd', secondName: 'Elbe', reasons: [{ by: 'vat_id', value: 'DE1' }] },
    { first: 'e', firstName: 'Alsterhaus', second: 'a', secondName: 'Alster GmbH', reasons: [{ by: 'phone', value: '+49 40 1' }] },
  ];

  it('finds the other account of every pair that includes this one', () => {
    expect(duplicatesOf(pairs, 'a').map((d) => [d.id, d.name])).toEqual([
      ['b', 'Alster'],
      ['e', 'Alsterhaus'],
    ]);
    expect(duplicatesOf(pairs, 'z')).toEqual([]);
  });

  it('says why in words', () => {
    expect(
      reasonsText([
        { by: 'vat_id', value: 'DE1' },
        { by: 'email_domain', value: 'alster.example' },
      ]),
    ).toBe('same VAT id DE1, same e-mail domain alster.example');
  });

  it('keeps this account unless told to keep the other', () => {
    const self = { id: 'a', name: 'A' };
    const other = { id: 'b', name: 'B' };
    expect(mergeArgs(self, other, true)).toEqual({ keep: self, merged: other });
    expect(mergeArgs(self, other, false)).toEqual({ keep: other, merged: self });
    expect(mergeSummary('A', 'B')).toContain('"B" is then deleted');
  });
});
