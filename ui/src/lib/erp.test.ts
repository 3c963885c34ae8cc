import { describe, expect, it } from 'vitest';
import {
  canEditTerms,
  canPostInvoices,
  canSeeLedger,
  chosenLines,
  deliveryTiming,
  invoiceActions,
  invoiceRef,
  isPolling,
  orderActions,
  orderRef,
  parseOrderLines,
  pendingStepLabel,
  postDraftsQuestion,
  postDraftsWhat,
  priceFormError,
  priceInput,
  priceListCustomers,
  priceRows,
  sortPriceLists,
  statusLabel,
  stepAfter,
  stepMessage,
  validityLabel,
  EMPTY_PRICE,
} from './erp';

const ID = '3f2b9c1e-7a44-4c1d-9e0a-0123456789ab';

describe('references', () => {
  it('shows the number, or a provisional reference for a draft', () => {
    expect(orderRef({ id: ID, number: 'SO-2026-0007' })).toBe('SO-2026-0007');
    expect(orderRef({ id: ID, number: null })).toBe('SO-DRAFT-3f2b9c1e');
    expect(invoiceRef({ id: ID, number: 'INV-2026-0001' })).toBe('INV-2026-0001');
    expect(invoiceRef({ id: ID, number: null })).toBe('DRAFT-3f2b9c1e');
  });
});

describe('statusLabel', () => {
  it('labels known and unknown statuses', () => {
    expect(statusLabel('partly_delivered')).toBe('Partly delivered');
    expect(statusLabel('held')).toBe('On hold');
    expect(statusLabel('waiting_for_stock')).toBe('Waiting for stock');
  });

  it('names queued steps', () => {
    expect(pendingStepLabel('order.confirm')).toBe('Confirm');
    expect(pendingStepLabel('invoice.post')).toBe('Post');
  });
});

describe('orderActions', () => {
  it('offers the steps that fit each status', () => {
    expect(orderActions('draft')).toEqual(['confirm', 'cancel']);
    expect(orderActions('held')).toEqual(['release', 'cancel']);
    expect(orderActions('confirmed')).toEqual(['deliver', 'invoice', 'cancel']);
    expect(orderActions('partly_delivered')).toEqual(['deliver', 'invoice']);
    expect(orderActions('delivered')).toEqual(['invoice']);
  });

  it('offers nothing on finished orders or unknown statuses', () => {
    expect(orderActions('invoiced')).toEqual([]);
    expect(orderActions('closed')).toEqual([]);
    expect(orderActions('cancelled')).toEqual([]);
    expect(orderActions('something_new')).toEqual([]);
  });

  it('offers nothing while a step waits for the server', () => {
    expect(orderActions('draft', ['order.confirm'])).toEqual([]);
  });
});

describe('invoiceActions', () => {
  it('posts drafts and credits posted invoices, never credit notes', () => {
    expect(invoiceActions({ status: 'draft', kind: 'invoice' })).toEqual(['post']);
    expect(invoiceActions({ status: 'posted', kind: 'invoice' })).toEqual(['credit']);
    expect(invoiceActions({ status: 'posted', kind: 'credit_note' })).toEqual([]);
    expect(invoiceActions({ status: 'draft', kind: 'credit_note' })).toEqual(['post']);
  });
});

describe('post all drafts', () => {
  it('is offered to the back office and admins (and in a local workspace) only', () => {
    expect(canPostInvoices('back_office')).toBe(true);
    expect(canPostInvoices('admin')).toBe(true);
    expect(canPostInvoices(null)).toBe(true);
    expect(canPostInvoices(undefined)).toBe(true);
    expect(canPostInvoices('sales_manager')).toBe(false);
    expect(canPostInvoices('sales_rep')).toBe(false);
    expect(canPostInvoices('warehouse')).toBe(false);
  });

  it('asks with the number of drafts, singular or plural', () => {
    expect(postDraftsQuestion(3)).toBe('Post 3 draft invoices? They get their numbers in date order; this cannot be undone.');
    expect(postDraftsQuestion(1)).toBe('Post 1 draft invoice? It gets its number; this cannot be undone.');
  });

  it('names the posting in its outcome', () => {
    expect(postDraftsWhat(12)).toBe('The posting of 12 invoices');
    expect(postDraftsWhat(1)).toBe('The posting of 1 invoice');
    expect(stepMessage({ phase: 'applied', seq: 4 }, postDraftsWhat(2))).toBe('The posting of 2 invoices was accepted by the server.');
  });
});

describe('parseOrderLines', () => {
  it('reads SKU:QTY lines, with an optional discount, keeping decimals as strings', () => {
    expect(parseOrderLines('WID-1:10\n GAD-2 : 2.5 \n\nSRV-9:1:10%')).toEqual({
      lines: [
        { sku: 'WID-1', qty: '10', discount: null },
        { sku: 'GAD-2', qty: '2.5', discount: null },
        { sku: 'SRV-9', qty: '1', discount: '10' },
      ],
      errors: [],
    });
  });

  it('accepts commas between lines', () => {
    expect(parseOrderLines('A:1, B:2').lines.map((l) => l.sku)).toEqual(['A', 'B']);
  });

  it('reports each malformed line with its number', () => {
    const { lines, errors } = parseOrderLines('A:1\nB\nC:x\n:4\nD:1:y');
    expect(lines).toEqual([{ sku: 'A', qty: '1', discount: null }]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(errors[1]?.message).toContain('not a quantity');
  });

  it('returns nothing for empty input', () => {
    expect(parseOrderLines('  \n ')).toEqual({ lines: [], errors: [] });
  });
});

describe('chosenLines', () => {
  it('keeps only the quantities typed', () => {
    expect(chosenLines({ A: '2', B: ' ', C: '1.5 ' })).toEqual([
      { sku: 'A', qty: '2' },
      { sku: 'C', qty: '1.5' },
    ]);
  });
});

describe('canSeeLedger', () => {
  it('hides the ledger from sales reps only', () => {
    expect(canSeeLedger('sales_rep')).toBe(false);
    expect(canSeeLedger('admin')).toBe(true);
    expect(canSeeLedger('back_office')).toBe(true);
    expect(canSeeLedger(null)).toBe(true);
  });
});

describe('canEditTerms', () => {
  it('offers terms to the back office, managers and admins only', () => {
    expect(canEditTerms('admin')).toBe(true);
    expect(canEditTerms('sales_manager')).toBe(true);
    expect(canEditTerms('back_office')).toBe(true);
    expect(canEditTerms('sales_rep')).toBe(false);
    expect(canEditTerms('warehouse')).toBe(false);
    expect(canEditTerms(null)).toBe(true);
  });
});

describe('deliveryTiming', () => {
  it('compares the shipping date with the promise', () => {
    expect(deliveryTiming('2026-03-10', '2026-03-12')).toBe('late');
    expect(deliveryTiming('2026-03-10', '2026-03-10')).toBe('on_time');
    expect(deliveryTiming(null, '2026-03-10')).toBeNull();
  });
});

describe('stepAfter', () => {
  it('ends on applied or rejected, with the reason', () => {
    expect(stepAfter(7, { status: 'applied' }, 1000, true)).toEqual({ phase: 'applied', seq: 7 });
    const rejected = stepAfter(7, { status: 'rejected', code: 'credit_limit', reason: 'exceeds credit limit 5,000.00 EUR by 593.00 EUR' }, 2000, true);
    expect(rejected).toEqual({ phase: 'rejected', seq: 7, code: 'credit_limit', reason: 'exceeds credit limit 5,000.00 EUR by 593.00 EUR' });
    expect(stepMessage(rejected, 'The confirmation')).toBe('The confirmation was refused: exceeds credit limit 5,000.00 EUR by 593.00 EUR');
  });

  it('keeps polling while pending online, then says it is queued after the timeout', () => {
    const pending = stepAfter(7, { status: 'pending' }, 3000, true);
    expect(pending).toEqual({ phase: 'pending', seq: 7 });
    expect(isPolling(pending)).toBe(true);
    expect(stepMessage(pending)).toBe('Sent to the server…');
    const late = stepAfter(7, { status: 'pending' }, 15_000, true);
    expect(late).toEqual({ phase: 'queued', seq: 7, offline: false });
    expect(isPolling(late)).toBe(false);
  });

  it('says the step is queued at once when offline', () => {
    const queued = stepAfter(7, { status: 'pending' }, 0, false);
    expect(queued).toEqual({ phase: 'queued', seq: 7, offline: true });
    expect(stepMessage(queued)).toContain('offline');
  });
});

describe('validityLabel', () => {
  it('describes the dates a list applies on', () => {
    expect(validityLabel('2026-11-01', '2026-11-30')).toBe('from 2026-11-01 to 2026-11-30');
    expect(validityLabel('2026-11-01', null)).toBe('from 2026-11-01');
    expect(validityLabel(null, '2026-11-30')).toBe('until 2026-11-30');
    expect(validityLabel(null, null)).toBe('always');
    expect(validityLabel('', '')).toBe('always');
  });
});

describe('priceRows', () => {
  const skuById = new Map([
    ['p-widget', 'WIDGET'],
    ['p-bolt', 'BOLT'],
  ]);

  it('maps products to SKUs and sorts by SKU, then quantity break as a decimal', () => {
    const rows = priceRows(
      {
        items: [
          { product: 'p-widget', min_qty: '100', unit_price: '8.00' },
          { product: 'p-widget', min_qty: '0', unit_price: '10.00' },
          { product: 'p-bolt', min_qty: '20.5', unit_price: '0.10' },
          { product: 'p-widget', min_qty: '9.000', unit_price: '9.50' },
          { product: 'p-bolt', min_qty: '3', unit_price: '0.12' },
        ],
      },
      skuById,
    );
    expect(rows.map((r) => [r.sku, r.minQty, r.unitPrice])).toEqual([
      ['BOLT', '3', '0.12'],
      ['BOLT', '20.5', '0.10'],
      ['WIDGET', '0', '10.00'],
      ['WIDGET', '9.000', '9.50'],
      ['WIDGET', '100', '8.00'],
    ]);
  });

  it('shows the product id when the product is unknown, and keeps prices as strings', () => {
    const rows = priceRows({ items: [{ product: 'p-gone', min_qty: '1', unit_price: '0.30' }] }, skuById);
    expect(rows).toEqual([{ product: 'p-gone', sku: 'p-gone', minQty: '1', unitPrice: '0.30' }]);
  });

  it('handles an empty list', () => {
    expect(priceRows({ items: [] }, skuById)).toEqual([]);
  });
});

describe('sortPriceLists', () => {
  it('orders by name, currency, then the general list first', () => {
    const lists = [
      { name: 'Wholesale', currency: 'USD', customer: null },
      { name: 'Wholesale', currency: 'EUR', customer: 'acc-1' },
      { name: 'Black Friday', currency: 'EUR', customer: null },
      { name: 'Wholesale', currency: 'EUR', customer: null },
    ];
    expect(sortPriceLists(lists)).toEqual([
      { name: 'Black Friday', currency: 'EUR', customer: null },
      { name: 'Wholesale', currency: 'EUR', customer: null },
      { name: 'Wholesale', currency: 'EUR', customer: 'acc-1' },
      { name: 'Wholesale', currency: 'USD', customer: null },
    ]);
    expect(lists[0]?.currency).toBe('USD');
  });
});

describe('priceInput', () => {
  it('trims and sends blank optional fields as null', () => {
    expect(priceInput({ ...EMPTY_PRICE, list: ' Wholesale ', sku: 'WIDGET', price: '9.50 ' })).toEqual({
      list: 'Wholesale',
      currency: 'EUR',
      sku: 'WIDGET',
      price: '9.50',
      minQty: null,
      customer: null,
      validFrom: null,
      validTo: null,
    });
  });

  it('keeps the optional fields that are filled', () => {
    const input = priceInput({
      list: 'Black Friday',
      currency: 'EUR',
      sku: 'WIDGET',
      price: '7',
      minQty: '10',
      customer: 'acc-1',
      validFrom: '2026-11-01',
      validTo: '2026-11-30',
    });
    expect(input).toMatchObject({ minQty: '10', customer: 'acc-1', validFrom: '2026-11-01', validTo: '2026-11-30' });
  });
});

describe('priceFormError', () => {
  it('renames the backend field names to the form fields', () => {
    const error = priceFormError({
      code: 'validation',
      message: 'Invalid price',
      fields: [
        { field: 'min_qty', message: 'not a quantity' },
        { field: 'from', message: 'bad date' },
        { field: 'to', message: 'before from' },
        { field: 'price', message: 'must be positive' },
      ],
    });
    expect(error.fields?.map((f) => f.field)).toEqual(['minQty', 'validFrom', 'validTo', 'price']);
    expect(error.message).toBe('Invalid price');
  });

  it('leaves an error without fields alone', () => {
    const error = { code: 'not_found', message: 'No such SKU' };
    expect(priceFormError(error)).toBe(error);
  });
});

describe('priceListCustomers', () => {
  it('lists each customer once, without the general lists', () => {
    expect(priceListCustomers([{ customer: 'b' }, { customer: null }, { customer: 'a' }, { customer: 'b' }])).toEqual(['a', 'b']);
    expect(priceListCustomers([])).toEqual([]);
  });
});
