// Pure presentation logic of the order-to-cash screens. The backend decides every business rule;
// this only picks labels, parses what the user typed and says which buttons make sense to offer.
import type { AppError, Invoice, OrderLineInput, Outcome, PriceInput, PriceList, SalesOrder } from '../backend';
import { parseDecimal } from './money';

export const ORDER_STATUS_LABEL: Record<string, string> = {
  draft: 'Draft',
  held: 'On hold',
  confirmed: 'Confirmed',
  partly_delivered: 'Partly delivered',
  delivered: 'Delivered',
  invoiced: 'Invoiced',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** A readable label for any status; unknown ones are de-snake-cased. */
export function statusLabel(status: string): string {
  const known = ORDER_STATUS_LABEL[status];
  if (known !== undefined) {
    return known;
  }
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The order's number, or a provisional `SO-DRAFT-xxxxxxxx` while it has none. */
export function orderRef(order: Pick<SalesOrder, 'id' | 'number'>): string {
  return order.number ?? `SO-DRAFT-${order.id.slice(0, 8)}`;
}

/** The invoice's number, or a provisional `DRAFT-xxxxxxxx` while it has none. */
export function invoiceRef(invoice: Pick<Invoice, 'id' | 'number'>): string {
  return invoice.number ?? `DRAFT-${invoice.id.slice(0, 8)}`;
}

export function invoiceKindLabel(kind: string): string {
  return kind === 'credit_note' ? 'Credit note' : 'Invoice';
}

export type OrderAction = 'confirm' | 'release' | 'deliver' | 'cancel' | 'invoice';

const ORDER_ACTIONS: Record<string, OrderAction[]> = {
  draft: ['confirm', 'cancel'],
  held: ['release', 'cancel'],
  confirmed: ['deliver', 'invoice', 'cancel'],
  partly_delivered: ['deliver', 'invoice'],
  delivered: ['invoice'],
};

/**
 * The actions to offer on an order in `status`. None while one of its steps still waits for the
 * server (`pending`): the next step depends on what the server answers.
 */
export function orderActions(status: string, pending: readonly string[] = []): OrderAction[] {
  if (pending.length > 0) {
    return [];
  }
  return ORDER_ACTIONS[status] ?? [];
}

export type InvoiceAction = 'post' | 'credit';

/** Post a draft; credit a posted invoice (a credit note is not credited again). */
export function invoiceActions(invoice: Pick<Invoice, 'status' | 'kind'>): InvoiceAction[] {
  if (invoice.status === 'draft') {
    return ['post'];
  }
  if (invoice.status === 'posted' && invoice.kind !== 'credit_note') {
    return ['credit'];
  }
  return [];
}

/**
 * Whether to offer "Post all drafts": posting is accounting work, for the back office and admins
 * (the server refuses everyone else); local workspaces (no role) too. The backend checks again.
 */
export function canPostInvoices(role: string | null | undefined): boolean {
  return role === null || role === undefined || role === 'admin' || role === 'back_office';
}

/** The question asked before posting `count` (at least one) draft invoices. */
export function postDraftsQuestion(count: number): string {
  return count === 1
    ? 'Post 1 draft invoice? It gets its number; this cannot be undone.'
    : `Post ${count} draft invoices? They get their numbers in date order; this cannot be undone.`;
}

/** The subject of the outcome notice of posting `count` drafts ("The posting of 3 invoices"). */
export function postDraftsWhat(count: number): string {
  return `The posting of ${count} ${count === 1 ? 'invoice' : 'invoices'}`;
}

/** `order.confirm` → `Confirm`, `invoice.post` → `Post`. */
export function pendingStepLabel(step: string): string {
  const verb = step.includes('.') ? step.slice(step.lastIndexOf('.') + 1) : step;
  return statusLabel(verb);
}

export interface LineError {
  /** 1-based line of the text. */
  line: number;
  message: string;
}

export interface ParsedLines {
  lines: OrderLineInput[];
  errors: LineError[];
}

/**
 * Parses order lines typed one per line (or separated by commas) as `SKU:QTY` or
 * `SKU:QTY:DISCOUNT`. Blank lines are skipped. Only the form is checked here; the backend
 * decides whether the SKU exists and the quantity is allowed.
 */
export function parseOrderLines(text: string): ParsedLines {
  const lines: OrderLineInput[] = [];
  const errors: LineError[] = [];
  text
    .split(/[\n,;]/)
    .map((raw) => raw.trim())
    .forEach((raw, index) => {
      if (raw === '') {
        return;
      }
      const parts = raw.split(':').map((p) => p.trim());
      const [sku = '', qty = '', discount] = parts;
      if (parts.length < 2 || parts.length > 3 || sku === '') {
        errors.push({ line: index + 1, message: `"${raw}" is not SKU:QTY` });
        return;
      }
      if (parseDecimal(qty) === null) {
        errors.push({ line: index + 1, message: `"${qty}" is not a quantity` });
        return;
      }
      if (discount !== undefined && discount !== '' && parseDecimal(discount.replace(/%$/, '')) === null) {
        errors.push({ line: index + 1, message: `"${discount}" is not a discount` });
        return;
      }
      const cleanDiscount = discount === undefined || discount === '' ? null : discount.replace(/%$/, '');
      lines.push({ sku, qty, discount: cleanDiscount });
    });
  return { lines, errors };
}

/** The chosen quantities per SKU, without the ones left blank; empty = "everything ready". */
export function chosenLines(chosen: Record<string, string>): OrderLineInput[] {
  return Object.entries(chosen)
    .map(([sku, qty]) => ({ sku, qty: qty.trim() }))
    .filter((l) => l.qty !== '');
}

/** Roles that never see the ledger reports (the backend also refuses them). */
export function canSeeLedger(role: string | null | undefined): boolean {
  return role !== 'sales_rep';
}

/**
 * Whether to offer editing a customer's terms (credit limit, payment days…): back office,
 * managers and admins; local workspaces (no role) too. The backend checks again.
 */
export function canEditTerms(role: string | null | undefined): boolean {
  return role === null || role === undefined || role === 'admin' || role === 'sales_manager' || role === 'back_office';
}

/** Whether a shipment went out after its promise date (dates are `YYYY-MM-DD`). */
export function deliveryTiming(promised: string | null, actual: string): 'late' | 'on_time' | null {
  if (promised === null || promised === '') {
    return null;
  }
  return actual > promised ? 'late' : 'on_time';
}

/** How long to wait for the server before saying the step stays queued. */
export const OUTCOME_TIMEOUT_MS = 15_000;
export const OUTCOME_POLL_MS = 1_000;

/** Where a step the server decides stands, from the UI's point of view. */
export type StepState =
  | { phase: 'idle' }
  | { phase: 'sending' }
  | { phase: 'pending'; seq: number }
  | { phase: 'queued'; seq: number; offline: boolean }
  | { phase: 'applied'; seq: number }
  | { phase: 'rejected'; seq: number; code: string; reason: string }
  | { phase: 'failed'; message: string };

/**
 * The state after one `erpOutcome` answer. Still pending while offline, or after the timeout,
 * means the step stays queued (it is applied or refused once the server answers).
 */
export function stepAfter(seq: number, outcome: Outcome, elapsedMs: number, online: boolean): StepState {
  switch (outcome.status) {
    case 'applied':
      return { phase: 'applied', seq };
    case 'rejected':
      return { phase: 'rejected', seq, code: outcome.code, reason: outcome.reason };
    default:
      if (!online) {
        return { phase: 'queued', seq, offline: true };
      }
      return elapsedMs >= OUTCOME_TIMEOUT_MS ? { phase: 'queued', seq, offline: false } : { phase: 'pending', seq };
  }
}

/** True while the UI should keep asking for the outcome. */
export function isPolling(state: StepState): boolean {
  return state.phase === 'sending' || state.phase === 'pending';
}

/** The sentence shown for a step. */
export function stepMessage(state: StepState, what = 'The change'): string {
  switch (state.phase) {
    case 'idle':
      return '';
    case 'sending':
    case 'pending':
      return 'Sent to the server…';
    case 'queued':
      return state.offline
        ? `${what} is queued: you are offline, the server decides once you are back online.`
        : `${what} is queued: the server has not answered yet; it will be applied or refused when it does.`;
    case 'applied':
      return `${what} was accepted by the server.`;
    case 'rejected':
      return `${what} was refused: ${state.reason}`;
    case 'failed':
      return state.message;
  }
}

// ---------- price lists ----------

/** A price list's validity: `from 2026-11-01 to 2026-11-30`, `from …`, `until …` or `always`. */
export function validityLabel(from: string | null | undefined, to: string | null | undefined): string {
  const start = from ?? '';
  const end = to ?? '';
  if (start !== '' && end !== '') {
    return `from ${start} to ${end}`;
  }
  if (start !== '') {
    return `from ${start}`;
  }
  if (end !== '') {
    return `until ${end}`;
  }
  return 'always';
}

export interface PriceRow {
  product: string;
  /** The product's SKU; the product id when the product is not known here. */
  sku: string;
  minQty: string;
  unitPrice: string;
}

/** Compares decimal strings exactly; unparsable ones go last, among themselves by text. */
function compareDecimals(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (x === null || y === null) {
    return x !== null ? -1 : y !== null ? 1 : a.localeCompare(b);
  }
  return x.cmp(y);
}

/** A list's prices as rows, by SKU then quantity break (smallest first). */
export function priceRows(list: Pick<PriceList, 'items'>, skuById: ReadonlyMap<string, string>): PriceRow[] {
  return list.items
    .map((item) => ({
      product: item.product,
      sku: skuById.get(item.product) ?? item.product,
      minQty: item.min_qty,
      unitPrice: item.unit_price,
    }))
    .sort((a, b) => a.sku.localeCompare(b.sku) || compareDecimals(a.minQty, b.minQty));
}

/** Lists by name, then currency, then the general list before customer ones. */
export function sortPriceLists<T extends Pick<PriceList, 'name' | 'currency' | 'customer'>>(lists: readonly T[]): T[] {
  return [...lists].sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      a.currency.localeCompare(b.currency) ||
      (a.customer ?? '').localeCompare(b.customer ?? ''),
  );
}

/** The distinct customer accounts the lists are for, sorted (to look their names up once). */
export function priceListCustomers(lists: readonly Pick<PriceList, 'customer'>[]): string[] {
  const ids = new Set<string>();
  for (const list of lists) {
    if (list.customer !== null && list.customer !== '') {
      ids.add(list.customer);
    }
  }
  return [...ids].sort();
}

export const PRICE_FIELDS = ['list', 'currency', 'sku', 'price', 'minQty', 'customer', 'validFrom', 'validTo'] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];
export type PriceFormValues = Record<PriceField, string>;

export const EMPTY_PRICE: PriceFormValues = {
  list: '',
  currency: 'EUR',
  sku: '',
  price: '',
  minQty: '',
  customer: '',
  validFrom: '',
  validTo: '',
};

/** The form as the command takes it: trimmed, with blank optional fields as null. */
export function priceInput(values: PriceFormValues): PriceInput {
  const optional = (value: string) => (value.trim() === '' ? null : value.trim());
  return {
    list: values.list.trim(),
    currency: values.currency.trim(),
    sku: values.sku.trim(),
    price: values.price.trim(),
    minQty: optional(values.minQty),
    customer: optional(values.customer),
    validFrom: optional(values.validFrom),
    validTo: optional(values.validTo),
  };
}

const PRICE_FIELD_ALIASES: Record<string, PriceField> = {
  min_qty: 'minQty',
  from: 'validFrom',
  valid_from: 'validFrom',
  to: 'validTo',
  valid_to: 'validTo',
};

/** The error with the backend's field names (`min_qty`, `from`, `to`) renamed to the form's. */
export function priceFormError(error: AppError): AppError {
  if (error.fields === undefined) {
    return error;
  }
  return {
    ...error,
    fields: error.fields.map((f) => ({ ...f, field: PRICE_FIELD_ALIASES[f.field] ?? f.field })),
  };
}
