import { describe, expect, it } from 'vitest';
import type { ColumnMapping, ImportPreviewRow, Lead, LeadStatus } from '../backend';
import {
  convertOptions,
  csvCell,
  emptyLeadForm,
  exportFileName,
  leadActions,
  leadCreateInput,
  leadsCsv,
  mappedPreview,
  mapsCompany,
  reasonText,
  remapColumn,
  sameMapping,
  targetFromKey,
  targetKey,
  toCsv,
  toImportRefusal,
  type ConvertFormValues,
} from './leads';

const MAPPING: ColumnMapping = {
  entity: 'lead',
  headers: ['Company', 'E-mail', 'Notes', 'Phone'],
  columns: [{ to: 'field', name: 'company' }, { to: 'field', name: 'email' }, null, { to: 'field', name: 'phone' }],
};

const ROWS: ImportPreviewRow[] = [
  { line: 2, cells: ['Alster GmbH', 'jana@alster.example', 'call back', '+49 40 1'], errors: [] },
  { line: 3, cells: ['Elbe KG', 'not-an-address', '', ''], errors: [{ line: 3, column: 'E-mail', message: 'bad e-mail' }] },
];

function lead(over: Partial<Lead> = {}): Lead {
  return {
    id: 'l1',
    company: 'Alster Kühlhaus GmbH',
    person: 'Jana Peters',
    email: 'jana@alster.example',
    phone: null,
    vat_id: null,
    city: 'Hamburg',
    source: 'event',
    status: { state: 'new' },
    owner: 'carla',
    territory: 'North',
    created: '2026-05-01',
    ...over,
  };
}

describe('csv export', () => {
  it('leaves plain values alone', () => {
    expect(csvCell('Alster GmbH')).toBe('Alster GmbH');
    expect(csvCell(null)).toBe('');
  });

  it('quotes commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('Elbe Werft, Dock 3 KG')).toBe('"Elbe Werft, Dock 3 KG"');
    expect(csvCell('the "best" firm')).toBe('"the ""best"" firm"');
    expect(csvCell('line one\nline two')).toBe('"line one\nline two"');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
    expect(csvCell(' padded ')).toBe('" padded "');
  });

  it('stops spreadsheet formulas with a leading quote', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('+cmd|calc')).toBe("'+cmd|calc");
  });

  it('keeps phone numbers and negative numbers as they are', () => {
    expect(csvCell('+49 40 123456')).toBe('+49 40 123456');
    expect(csvCell('-12.50')).toBe('-12.50');
  });

  it('writes CRLF lines with a header', () => {
    expect(toCsv(['A', 'B'], [['1', null], ['x,y', '2']])).toBe('A,B\r\n1,\r\n"x,y",2\r\n');
  });

  it('exports leads with headers the import maps back', () => {
    const csv = leadsCsv([lead({ company: 'Elbe Werft, Dock 3 KG', status: { state: 'working' } })]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('Company,Person,E-mail,Phone,VAT id,City,Source,Status,Owner,Territory,Created');
    expect(row).toBe('"Elbe Werft, Dock 3 KG",Jana Peters,jana@alster.example,,,Hamburg,event,working,carla,North,2026-05-01');
  });

  it('names the file by the day', () => {
    expect(exportFileName(new Date(2026, 4, 1))).toBe('leads-2026-05-01.csv');
  });
});

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
    const m = remapColumn(MAPPING, 0, '');
    expect(m.columns[0]).toBeNull();
    expect(mapsCompany(m)).toBe(false);
    expect(mapsCompany(MAPPING)).toBe(true);
  });

  it('knows whether the mapping is still the suggested one', () => {
    expect(sameMapping(MAPPING, { ...MAPPING })).toBe(true);
    expect(sameMapping(MAPPING, remapColumn(MAPPING, 2, 'field:city'))).toBe(false);
  });

  it('previews the rows as the mapping imports them, leaving ignored columns out', () => {
    const p = mappedPreview(MAPPING, ROWS, true);
    expect(p.columns.map((c) => c.header)).toEqual(['Company', 'E-mail', 'Phone']);
    expect(p.rows[0]?.cells).toEqual(['Alster GmbH', 'jana@alster.example', '+49 40 1']);
    expect(p.rows[1]?.errors).toHaveLength(1);
  });

  it('drops the problems found with the suggested mapping once the user changed it', () => {
    const p = mappedPreview(remapColumn(MAPPING, 1, ''), ROWS, false);
    expect(p.columns.map((c) => c.header)).toEqual(['Company', 'Phone']);
    expect(p.rows[1]?.errors).toEqual([]);
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
