import { describe, expect, it } from 'vitest';
import type { Quote, QuoteItem } from '../backend';
import {
  canApprove,
  canRevise,
  emptyQuoteLine,
  groupRows,
  lineErrorIndex,
  quoteActions,
  quoteFigures,
  quoteLinesInput,
  quoteRef,
  quoteStatusLabel,
  rowsOfQuote,
  selectableOptions,
} from './quotes';

function item(sku: string, net: string, extra: Partial<QuoteItem> = {}): QuoteItem {
  return {
    id: `l-${sku}`,
    product: `p-${sku}`,
    qty: '1',
    discount: '0',
    optional: false,
    selected: false,
    sku,
    name: sku,
    unit_price: net,
    price_source: { from: 'product_price' },
    tax_rate: '19',
    net,
    ...extra,
  };
}

const QUOTE: Quote = {
  id: '0190abcd-0000-7000-8000-000000000001',
  number: null,
  account: 'a1',
  customer_name: 'Desktop Created GmbH',
  deal: null,
  currency: 'EUR',
  price_list: null,
  lines: [
    { type: 'item', ...item('DESK', '320.00', { discount: '20' }) },
    { type: 'item', ...item('LAMP', '0.10', { optional: true }) },
    { type: 'item', ...item('CABLE', '0.20', { optional: true }) },
    {
      type: 'bundle',
      id: 'b1',
      name: 'Office',
      qty: 1,
      optional: false,
      selected: false,
      components: [item('CHAIR', '150.00'), item('MAT', '30.00', { discount: '5' })],
      net: '180.00',
    },
  ],
  discount: '0',
  status: 'draft',
  valid_until: '2026-12-31',
  priced_on: '2026-03-02',
  approval: null,
  totals: { lines: '500.00', discount: '0.00', net: '500.00', taxes: [], tax: '95.00', total: '595.00' },
  created: '2026-03-02',
  sent_on: null,
  closed_on: null,
  order: null,
};

describe('line editor', () => {
  it('sends trimmed rows, upper-case SKUs, no blank rows, `%` dropped', () => {
    const rows = [
      { sku: ' desk ', qty: ' 1 ', discount: '20 %', optional: false, bundle: '' },
      emptyQuoteLine(),
      { sku: 'LAMP', qty: '2', discount: '', optional: true, bundle: ' ' },
    ];
    expect(quoteLinesInput(rows)).toEqual([
      { sku: 'DESK', qty: '1', discount: '20', optional: false, bundle: null },
      { sku: 'LAMP', qty: '2', discount: null, optional: true, bundle: null },
    ]);
  });

  it('groups rows with one bundle name where the name first appears', () => {
    const rows = [
      { ...emptyQuoteLine(), sku: 'CHAIR', bundle: 'Office' },
      { ...emptyQuoteLine(), sku: 'DESK' },
      emptyQuoteLine(),
      { ...emptyQuoteLine(), sku: 'MAT', bundle: ' Office ' },
    ];
    expect(groupRows(rows)).toEqual([
      { bundle: 'Office', rows: [0, 3] },
      { bundle: null, rows: [1] },
    ]);
  });

  it('turns a quote back into rows, bundles named on each component', () => {
    expect(rowsOfQuote(QUOTE).map((r) => `${r.sku}:${r.discount}:${r.bundle}:${String(r.optional)}`)).toEqual([
      'DESK:20::false',
      'LAMP:::true',
      'CABLE:::true',
      'CHAIR::Office:false',
      'MAT:5:Office:false',
    ]);
  });

  it('finds the row of a line error', () => {
    expect(lineErrorIndex('lines[2]')).toBe(1);
    expect(lineErrorIndex('lines[3].components[1]')).toBe(2);
    expect(lineErrorIndex('discount')).toBeNull();
  });
});

describe('actions by status and role', () => {
  const reasons = ['line DESK: discount 20 % is over 15 %'];

  it('asks for approval when the discounts need it, else sends or accepts', () => {
    expect(quoteActions('draft', 'sales_rep', reasons)).toEqual(['request_approval']);
    expect(quoteActions('draft', 'sales_rep', [])).toEqual(['send', 'accept']);
  });

  it('lets only sales managers and admins decide a pending approval', () => {
    expect(quoteActions('pending_approval', 'sales_manager', reasons)).toEqual(['approve', 'refuse_approval']);
    expect(quoteActions('pending_approval', 'admin', reasons)).toEqual(['approve', 'refuse_approval']);
    expect(quoteActions('pending_approval', 'sales_rep', reasons)).toEqual([]);
    expect(canApprove('back_office')).toBe(false);
    expect(canApprove(null)).toBe(true);
  });

  it('sends or accepts an approved quote, accepts or rejects a sent one, and ends there', () => {
    expect(quoteActions('approved', 'sales_rep', reasons)).toEqual(['send', 'accept']);
    expect(quoteActions('sent', 'sales_rep', [])).toEqual(['accept', 'reject']);
    for (const closed of ['accepted', 'rejected', 'expired']) {
      expect(quoteActions(closed, 'admin', [])).toEqual([]);
      expect(canRevise(closed)).toBe(false);
    }
    expect(canRevise('sent')).toBe(true);
  });

  it('labels statuses and references drafts like the CLI', () => {
    expect(quoteStatusLabel('pending_approval')).toBe('Needs approval');
    expect(quoteRef(QUOTE)).toBe('QU-DRAFT-0190abcd');
    expect(quoteRef({ ...QUOTE, number: 'QU-2026-00012' })).toBe('QU-2026-00012');
  });
});

describe('figures', () => {
  it('adds the optional lines exactly (0.1 + 0.2 = 0.3)', () => {
    const f = quoteFigures(QUOTE);
    expect(f.optionalNet).toBe('0.3');
    expect(f.optionalCount).toBe(2);
    expect(f.chosenNet).toBe('0');
    expect(f.maxLineDiscount).toBe('20');
  });

  it('sums what is ticked for acceptance', () => {
    expect(quoteFigures(QUOTE, ['lamp']).chosenNet).toBe('0.1');
    expect(selectableOptions(QUOTE).map((i) => i.sku)).toEqual(['LAMP', 'CABLE']);
  });
});
