import { describe, expect, it } from 'vitest';
import type { AccountRow, Backend, Contact, Deal, DocPage, Lead } from '../backend';
import { accountsCsv, contactsCsv, csvCell, dealsCsv, exportCsv, exportFileName, leadsCsv, toCsv } from './csvExport';
import { readAllPages } from './paging';

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

const ACCOUNT: AccountRow = {
  id: 'a1',
  name: 'Elbe Werft, Dock 3 KG',
  vatId: 'DE811111111',
  email: null,
  phone: '+49 40 123456',
  city: 'Hamburg',
  territory: 'North',
  contactCount: 1,
  pending: false,
  updatedAt: '2026-05-01T10:00:00Z',
};

const CONTACT: Contact = { id: 'c1', accountId: 'a1', name: 'Ole Berg', email: 'ole@elbe.example', phone: null, pending: false };

const DEAL: Deal = {
  id: 'd1',
  name: 'Tablets',
  account: 'a1',
  contact: null,
  pipeline: 'p1',
  stage: 'Lost',
  amount: { amount: '1200.50', currency: 'EUR' },
  expected_close: '2026-12-01',
  owner: 'carla',
  team: null,
  lost_reason: 'price',
  closed_on: '2026-06-01',
  created: '2026-05-01',
  lead: null,
  renews: null,
};

describe('csv cells', () => {
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
});

describe('csv export of each list', () => {
  it('exports leads with headers the import maps back', () => {
    const [header, row] = leadsCsv([lead({ company: 'Elbe Werft, Dock 3 KG', status: { state: 'working' } })]).split('\r\n');
    expect(header).toBe('Company,Person,E-mail,Phone,VAT id,City,Source,Status,Owner,Territory,Created');
    expect(row).toBe('"Elbe Werft, Dock 3 KG",Jana Peters,jana@alster.example,,,Hamburg,event,working,carla,North,2026-05-01');
  });

  it('exports accounts and contacts, a contact naming its account', () => {
    expect(accountsCsv([ACCOUNT]).split('\r\n').slice(0, 2)).toEqual([
      'Name,VAT id,E-mail,Phone,City,Territory',
      '"Elbe Werft, Dock 3 KG",DE811111111,,+49 40 123456,Hamburg,North',
    ]);
    const names = new Map([['a1', 'Elbe KG']]);
    expect(contactsCsv([CONTACT, { ...CONTACT, accountId: 'gone' }], names).split('\r\n').slice(0, 3)).toEqual([
      'Name,E-mail,Phone,Account',
      'Ole Berg,ole@elbe.example,,Elbe KG',
      'Ole Berg,ole@elbe.example,,gone',
    ]);
  });

  it('exports deals with the amount as the backend wrote it, and a lost deal with its reason', () => {
    const csv = dealsCsv([DEAL], new Map([['a1', 'Elbe KG']]), new Map([['p1', 'Field sales']]));
    expect(csv.split('\r\n').slice(0, 2)).toEqual([
      'Name,Account,Amount,Currency,Close date,Stage,Owner,Team,Lost reason,Pipeline',
      'Tablets,Elbe KG,1200.50,EUR,2026-12-01,Lost,carla,,price,Field sales',
    ]);
  });

  it('names the file by the list and the day', () => {
    expect(exportFileName('leads', new Date(2026, 4, 1))).toBe('leads-2026-05-01.csv');
    expect(exportFileName('contacts', new Date(2026, 11, 24))).toBe('contacts-2026-12-24.csv');
  });

  it('reads every page of the contacts and the account names', async () => {
    const pages: Record<string, DocPage<Contact>> = {
      first: { items: [CONTACT], next: 'k1' },
      k1: { items: [{ ...CONTACT, id: 'c2', name: 'Ina Kluge' }], next: null },
    };
    const backend = {
      crmContacts: ({ after }: { after?: string | null }) => Promise.resolve(pages[after ?? 'first']),
      listAccounts: () => Promise.resolve({ items: [{ ...ACCOUNT, name: 'Elbe KG' }], next: null, total: 1 }),
    } as unknown as Backend;
    const { text, count } = await exportCsv(backend, 'contacts');
    expect(count).toBe(2);
    expect(text).toContain('Ina Kluge,ole@elbe.example,,Elbe KG');
  });
});

describe('reading every page', () => {
  it('follows next until there is none, or stops at the cap', async () => {
    const fetch = (after: string | null) =>
      Promise.resolve({ items: [Number(after ?? 0)], next: after === '3' ? null : String(Number(after ?? 0) + 1) });
    expect(await readAllPages(fetch)).toEqual([0, 1, 2, 3]);
    expect(await readAllPages(fetch, 2)).toEqual([0, 1]);
  });
});
