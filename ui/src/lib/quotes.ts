// Pure logic of quotes: the line editor's rows and their bundles, what a status and role allow,
// and the figures shown. The backend prices and decides every rule; sums here go through
// big.js on the decimal strings it sent, never through floats.
import Big from 'big.js';
import type { Quote, QuoteItem, QuoteLine, QuoteLineInput } from '../backend';
import { parseDecimal } from './money';

/** One row of the line editor, as typed. */
export interface QuoteLineRow {
  sku: string;
  qty: string;
  /** Percent, blank = none. */
  discount: string;
  optional: boolean;
  /** Bundle name, blank = a line of its own. */
  bundle: string;
}

export function emptyQuoteLine(): QuoteLineRow {
  return { sku: '', qty: '1', discount: '', optional: false, bundle: '' };
}

function isBlank(row: QuoteLineRow): boolean {
  return row.sku.trim() === '' && row.discount.trim() === '' && row.bundle.trim() === '';
}

/** What is sent: rows without a SKU, discount or bundle are left out; the rest trimmed (`%` dropped). */
export function quoteLinesInput(rows: readonly QuoteLineRow[]): QuoteLineInput[] {
  return rows
    .filter((r) => !isBlank(r))
    .map((r) => {
      const discount = r.discount.trim().replace(/%$/, '').trim();
      const bundle = r.bundle.trim();
      return {
        sku: r.sku.trim().toUpperCase(),
        qty: r.qty.trim(),
        discount: discount === '' ? null : discount,
        optional: r.optional,
        bundle: bundle === '' ? null : bundle,
      };
    });
}

export interface RowGroup {
  /** Null: a line of its own. */
  bundle: string | null;
  /** Indexes into the rows. */
  rows: number[];
}

/**
 * How the replica will group the rows: a bundle where its name first appears, holding every
 * row with that name (names compared trimmed, as typed); other rows alone, in order.
 */
export function groupRows(rows: readonly QuoteLineRow[]): RowGroup[] {
  const groups: RowGroup[] = [];
  const byName = new Map<string, RowGroup>();
  rows.forEach((r, i) => {
    if (isBlank(r)) {
      return;
    }
    const name = r.bundle.trim();
    if (name === '') {
      groups.push({ bundle: null, rows: [i] });
      return;
    }
    const known = byName.get(name);
    if (known === undefined) {
      const g = { bundle: name, rows: [i] };
      byName.set(name, g);
      groups.push(g);
    } else {
      known.rows.push(i);
    }
  });
  return groups;
}

/** A quote's lines back into editor rows (to revise it). */
export function rowsOfQuote(quote: Quote): QuoteLineRow[] {
  const row = (i: QuoteItem, bundle: string, optional: boolean): QuoteLineRow => ({
    sku: i.sku,
    qty: i.qty,
    discount: signOfPercent(i.discount) ? i.discount : '',
    optional,
    bundle,
  });
  return quote.lines.flatMap((l) =>
    l.type === 'item' ? [row(l, '', l.optional)] : l.components.map((c) => row(c, l.name, l.optional)),
  );
}

function signOfPercent(p: string): boolean {
  const n = parseDecimal(p);
  return n !== null && !n.eq(0);
}

/** Backend field names of line errors (`lines[2]`) → the 0-based index of the sent line. */
export function lineErrorIndex(field: string): number | null {
  const m = /^lines\[(\d+)\]/.exec(field);
  return m === null ? null : Number(m[1]) - 1;
}

/** The field keys of the quote form. */
export const QUOTE_FIELDS = ['account', 'lines', 'discount', 'validUntil', 'deal'] as const;
export type QuoteField = (typeof QUOTE_FIELDS)[number];

// ----- status and actions -----

const STATUS_LABEL: Record<string, string> = {
  draft: 'Draft',
  pending_approval: 'Needs approval',
  approved: 'Approved',
  sent: 'Sent',
  accepted: 'Accepted',
  rejected: 'Rejected',
  expired: 'Expired',
};

export function quoteStatusLabel(status: string): string {
  return STATUS_LABEL[status] ?? status;
}

/** `QU-2026-00012`, or `QU-DRAFT-0190abcd` before the server numbered it (like the CLI). */
export function quoteRef(q: Pick<Quote, 'number' | 'id'>): string {
  return q.number ?? `QU-DRAFT-${q.id.slice(0, 8)}`;
}

/** Sales managers and admins decide approvals (a local workspace has no role: its user is the admin). */
export function canApprove(role: string | null | undefined): boolean {
  return role === null || role === undefined || role === 'admin' || role === 'sales_manager';
}

export type QuoteAction = 'request_approval' | 'approve' | 'refuse_approval' | 'send' | 'reject' | 'accept';

/**
 * The buttons a quote shows, mirroring the rules (the backend decides again): a draft whose
 * discounts need approval asks for it, else it may be sent or accepted; a pending one is decided
 * by an approver; an approved one is sent or accepted; a sent one is accepted or rejected.
 */
export function quoteActions(status: string, role: string | null | undefined, approvalReasons: readonly string[]): QuoteAction[] {
  const needsApproval = approvalReasons.length > 0;
  switch (status) {
    case 'draft':
      return needsApproval ? ['request_approval'] : ['send', 'accept'];
    case 'pending_approval':
      return canApprove(role) ? ['approve', 'refuse_approval'] : [];
    case 'approved':
      return ['send', 'accept'];
    case 'sent':
      return ['accept', 'reject'];
    default:
      return [];
  }
}

/** An open quote may be revised (it goes back to draft). */
export function canRevise(status: string): boolean {
  return status === 'draft' || status === 'pending_approval' || status === 'approved' || status === 'sent';
}

// ----- figures -----

/** Optional stand-alone lines the customer may take when accepting (chosen by SKU). */
export function selectableOptions(quote: Quote): QuoteItem[] {
  return quote.lines.filter((l): l is { type: 'item' } & QuoteItem => l.type === 'item' && l.optional);
}

/** The net of a line as offered (a bundle: its components, optional ones included). */
export function offeredNet(line: QuoteLine): string {
  if (line.type === 'item') {
    return line.net;
  }
  return line.components.reduce((acc, c) => acc.plus(parseDecimal(c.net) ?? 0), new Big(0)).toFixed();
}

export interface QuoteFigures {
  /** Σ nets of the optional lines not (yet) chosen: offered on top of the total, before tax. */
  optionalNet: string;
  optionalCount: number;
  /** The net of the optional lines ticked now, on top of the quoted net (before tax and the quote discount). */
  chosenNet: string;
  /** The highest line discount, in percent. */
  maxLineDiscount: string;
}

/** Figures shown beside the backend's totals; `chosen`: SKUs ticked for acceptance. */
export function quoteFigures(quote: Quote, chosen: readonly string[] = []): QuoteFigures {
  let optionalNet = new Big(0);
  let chosenNet = new Big(0);
  let optionalCount = 0;
  let maxDiscount = new Big(0);
  const items: QuoteItem[] = quote.lines.flatMap((l) => (l.type === 'item' ? [l] : l.components));
  for (const i of items) {
    const d = parseDecimal(i.discount);
    if (d?.gt(maxDiscount) === true) {
      maxDiscount = d;
    }
  }
  for (const l of quote.lines) {
    if (l.optional && !l.selected) {
      const net = parseDecimal(offeredNet(l)) ?? new Big(0);
      optionalNet = optionalNet.plus(net);
      optionalCount += 1;
      if (l.type === 'item' && chosen.some((s) => s.toUpperCase() === l.sku.toUpperCase())) {
        chosenNet = chosenNet.plus(net);
      }
    }
  }
  return {
    optionalNet: optionalNet.toFixed(),
    optionalCount,
    chosenNet: chosenNet.toFixed(),
    maxLineDiscount: maxDiscount.toFixed(),
  };
}
