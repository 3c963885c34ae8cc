import { describe, expect, it } from 'vitest';
import type { ColumnMapping, ImportPreviewRow } from '../backend';
import {
  countOf,
  mappedPreview,
  problemText,
  remapColumn,
  targetFromKey,
  targetKey,
  targetLabel,
  targetOptions,
  toImportRefusal,
} from './csvImport';

const MAPPING: ColumnMapping = {
  entity: 'lead',
  headers: ['Company', 'E-mail', 'Notes', 'Phone'],
  columns: [{ to: 'field', name: 'company' }, { to: 'field', name: 'email' }, null, { to: 'field', name: 'phone' }],
};

const ROWS: ImportPreviewRow[] = [
  { line: 2, cells: ['Alster GmbH', 'jana@alster.example', 'call back', '+49 40 1'], errors: [] },
  { line: 3, cells: ['Elbe KG', 'not-an-address', '', ''], errors: [{ line: 3, column: 'E-mail', message: 'bad e-mail' }] },
];

describe('column mapping', () => {
  it('round-trips targets through select values', () => {
    expect(targetKey(null)).toBe('');
    expect(targetKey({ to: 'field', name: 'vat_id' })).toBe('field:vat_id');
    expect(targetFromKey('custom:tier')).toEqual({ to: 'custom', name: 'tier' });
    expect(targetFromKey('')).toBeNull();
    expect(targetFromKey('bogus:x')).toBeNull();
    expect(targetFromKey('field:')).toBeNull();
  });

  it('remaps one column and leaves the others', () => {
    const m = remapColumn(MAPPING, 2, 'field:city');
    expect(m.columns[2]).toEqual({ to: 'field', name: 'city' });
    expect(m.columns[0]).toEqual(MAPPING.columns[0]);
    expect(MAPPING.columns[2]).toBeNull();
  });

  it('gives a field to one column only: the column that had it is ignored', () => {
    const m = remapColumn(MAPPING, 2, 'field:email');
    expect(m.columns[2]).toEqual({ to: 'field', name: 'email' });
    expect(m.columns[1]).toBeNull();
  });

  it('ignores a column', () => {
    expect(remapColumn(MAPPING, 0, '').columns[0]).toBeNull();
  });

  it('offers the fields the backend names, then the custom fields, with labels', () => {
    const options = targetOptions({ fields: ['name', 'expected_close', 'brand_new'], custom: [{ key: 'tier', label: 'Customer tier' }] });
    expect(options).toEqual([
      { key: 'field:name', label: 'Name' },
      { key: 'field:expected_close', label: 'Close date' },
      { key: 'field:brand_new', label: 'brand_new' },
      { key: 'custom:tier', label: 'Customer tier' },
    ]);
    expect(targetLabel({ to: 'custom', name: 'tier' }, options)).toBe('Customer tier');
    expect(targetLabel({ to: 'custom', name: 'gone' }, options)).toBe('Custom: gone');
    expect(targetLabel(null, options)).toBe('Ignored');
  });
});

describe('preview', () => {
  it('shows the rows as the mapping imports them, leaving ignored columns out', () => {
    const p = mappedPreview(MAPPING, ROWS);
    expect(p.columns.map((c) => c.header)).toEqual(['Company', 'E-mail', 'Phone']);
    expect(p.rows[0]?.cells).toEqual(['Alster GmbH', 'jana@alster.example', '+49 40 1']);
    expect(p.rows[1]?.errors).toHaveLength(1);
  });

  it('follows a changed mapping column by column', () => {
    const p = mappedPreview(remapColumn(MAPPING, 1, ''), ROWS);
    expect(p.columns.map((c) => c.header)).toEqual(['Company', 'Phone']);
    expect(p.rows[1]?.cells).toEqual(['Elbe KG', '']);
  });

  it('names the line and the column of a problem', () => {
    expect(problemText({ line: 3, column: 'E-mail', message: 'bad' })).toBe('Line 3, E-mail: bad');
    expect(problemText({ line: 1, column: null, message: 'no column is mapped to name' })).toBe(
      'Line 1: no column is mapped to name',
    );
  });

  it('counts records by their name', () => {
    expect(countOf('deal', 1)).toBe('1 deal');
    expect(countOf('account', 3)).toBe('3 accounts');
  });
});

describe('import refusal', () => {
  it('keeps every bad line and column', () => {
    const e = toImportRefusal({
      code: 'import',
      message: 'nothing was imported',
      errors: [{ line: 3, column: 'E-mail', message: 'bad' }, { line: 4, column: null, message: 'too many values' }, 'junk'],
    });
    expect(e.code).toBe('import');
    expect(e.errors).toEqual([
      { line: 3, column: 'E-mail', message: 'bad' },
      { line: 4, column: null, message: 'too many values' },
    ]);
  });

  it('is a plain AppError otherwise', () => {
    expect(toImportRefusal({ code: 'bad_input', message: 'empty' })).toEqual({ code: 'bad_input', message: 'empty' });
    expect(toImportRefusal('boom')).toEqual({ code: 'internal', message: 'boom' });
  });
});
