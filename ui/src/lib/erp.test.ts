import { describe, expect, it } from 'vitest';
import {
  canEditTerms,
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
  statusLabel,
  stepAfter,
  stepMessage,
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
