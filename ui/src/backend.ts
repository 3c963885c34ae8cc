// The only door between the UI and the Rust side of Tandem.
// Every command and event of the backend contract is typed here; components receive a `Backend`
// (see BackendContext) and never call `invoke` themselves. The shapes mirror the Rust DTOs (camelCase).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { toAppError } from './lib/errors';
import { toImportRefusal } from './lib/csvImport';

export interface AccountRow {
  id: string;
  name: string;
  vatId: string | null;
  email: string | null;
  phone: string | null;
  city: string | null;
  /** Sales territory (e.g. `north`); null when none is set. */
  territory: string | null;
  contactCount: number;
  /** Has local changes not yet accepted by the server. */
  pending: boolean;
  /** ISO instant. */
  updatedAt: string;
  /** The account's owner (a user name), from its profile; null when none. */
  owner?: string | null;
  /** The account's tags, sorted. */
  tags?: string[];
}

export interface Contact {
  id: string;
  accountId: string;
  name: string;
  email: string | null;
  phone: string | null;
  pending: boolean;
}

export interface AccountDetail {
  account: AccountRow;
  contacts: Contact[];
  /** Owner, tags and custom values (absent from older backends). */
  profile?: Profile;
}

/** The owner, tags and custom field values (key → text) of an account or a contact. */
export interface Profile {
  owner: string | null;
  tags: string[];
  custom: Record<string, string>;
}

/**
 * An edit of a profile; absent = untouched, blank = clear. `tags` replaces the whole list
 * (comma-separated); `addTags` / `removeTags` change it (bulk edits).
 */
export interface ProfileInput {
  owner?: string;
  tags?: string;
  addTags?: string;
  removeTags?: string;
  custom?: Record<string, string>;
}

/** What a custom field holds (as an admin defined it). */
export type FieldKind =
  | { type: 'text'; max_len: number }
  | { type: 'number'; scale?: number | null }
  | { type: 'money'; currency: string }
  | { type: 'date' }
  | { type: 'choice'; options: string[] };

/** A custom field of one record type. */
export interface FieldDef {
  id: string;
  entity: 'account' | 'contact' | 'deal' | 'lead';
  key: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
}

/** Two accounts that may be one company, and why. */
export interface AccountDuplicate {
  first: string;
  firstName: string;
  second: string;
  secondName: string;
  reasons: MatchReason[];
}

export type SortKey = 'name' | 'city' | 'updated';
export type SortDir = 'asc' | 'desc';

export interface ListQuery {
  search: string;
  sort: SortKey;
  dir: SortDir;
  /** Opaque key of the last row of the previous page (`Page.next`); null for the first page. */
  after: string | null;
  limit: number;
  /** Only accounts with this tag (any case). */
  tag?: string | null;
  /** Only accounts this user owns. */
  owner?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Key to pass as `after` for the following page; null when there are no more rows. */
  next: string | null;
  /** Rows matching the search. */
  total: number;
}

/** Omitted field = unchanged; `''` = cleared (optional fields) or no value (on create). */
export interface AccountInput {
  name?: string | null;
  vatId?: string | null;
  email?: string | null;
  phone?: string | null;
  city?: string | null;
  territory?: string | null;
}

export interface ContactInput {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface Rejected {
  seq: number;
  /** Human description of the change the server refused. */
  mutation: string;
  /** E.g. `validation`, `not_found`, `deleted`, `forbidden` (outside the user's territories). */
  code: string;
  reason: string;
  at: string;
}

/** Core fields a conflict can be about. */
export type ConflictField = 'name' | 'vat_id' | 'email' | 'phone' | 'city' | 'territory';

/** Two edits of one field met; the later one won and the value it replaced is kept here. */
export interface Conflict {
  id: string;
  entity: 'account' | 'contact';
  recordId: string;
  accountId: string;
  recordName: string;
  /** Core field name (snake_case), e.g. `vat_id`. */
  field: string;
  /** The value that won, now current. */
  kept: string | null;
  /** The value it replaced. */
  overwritten: string | null;
  keptBy: string;
  overwrittenBy: string | null;
  at: string;
  resolvedBy: string | null;
  resolution: 'current' | 'overwritten' | null;
}

export type ConflictKeep = 'current' | 'overwritten';

export interface AuditEntry {
  id: number;
  at: string;
  user: string;
  device: string;
  seq: number;
  /** E.g. `account.update`. */
  mutation: string;
  entity: string;
  recordId: string;
  version: number;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null when there are no more. */
  next: number | null;
}

export interface SyncProgress {
  done: number;
  total: number | null;
}

export interface SyncStatus {
  mode: 'local' | 'server';
  serverUrl: string | null;
  user: string | null;
  online: boolean;
  syncing: boolean;
  pending: number;
  lastSyncAt: string | null;
  lastError: string | null;
  /** The stable code of `lastError` (offline, session_expired, revoked, upgrade_required, ...). */
  lastErrorCode?: string | null;
  rejected: Rejected[];
  progress: SyncProgress | null;
  /** Field conflicts (unresolved ones have `resolution === null`). */
  conflicts: Conflict[];
  /** The signed-in user's role (admin, sales_manager, sales_rep, back_office, warehouse); null when unknown. */
  role: string | null;
}

export interface AppInfo {
  version: string;
  dataDir: string;
}

/** The server's `GET /health`. */
export interface ServerHealth {
  status: string;
  version: string;
  protocol: number;
}

/** An update downloaded and verified, waiting for the user. */
export interface ReadyUpdate {
  version: string;
  notes: string;
  date: string | null;
}

export interface UpdateStatus {
  current: string;
  /** The server asked for updates (`null`: none to ask, e.g. a local workspace). */
  source: string | null;
  checking: boolean;
  downloaded: number | null;
  total: number | null;
  ready: ReadyUpdate | null;
  lastCheck: string | null;
  error: string | null;
}

export interface LicenceEntry {
  name: string;
  version: string;
  license: string;
  source: string;
}

export interface LicenceList {
  rust: LicenceEntry[];
  npm: LicenceEntry[];
}

export interface FieldError {
  /** camelCase input key, e.g. `vatId`. */
  field: string;
  message: string;
}

/** What every failed command rejects with. Decide by `code`, show `message`. */
export interface AppError {
  code: string;
  message: string;
  fields?: FieldError[];
}


// ---------- order-to-cash (ERP) ----------
// Documents are Rust structs serialised with snake_case fields. Amounts, quantities, percents and
// rates are decimal strings (never JS numbers); dates are `YYYY-MM-DD`; ids are UUID strings.

export type ProductKind = 'goods' | 'service';

export interface MoneyValue {
  amount: string;
  currency: string;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  /** `goods` | `service` (a string, should the backend add kinds). */
  kind: string;
  unit: string;
  /** Percent, e.g. `19`. */
  tax_rate: string;
  price: MoneyValue;
  cost: string;
  allow_negative: boolean;
  active: boolean;
}

export interface ProductRow extends Product {
  onHand: string;
  reserved: string;
  available: string;
}

/** What a new product is made of (camelCase; the backend validates). */
export interface ProductInput {
  sku: string;
  name: string;
  kind: ProductKind;
  unit: string;
  taxRate: string;
  price: string;
  currency: string;
  cost: string;
  allowNegative: boolean;
}

export interface StockRow {
  sku: string;
  name: string;
  warehouse: string;
  onHand: string;
  reserved: string;
  available: string;
  value: string;
}

/** One page of documents, paged by key: pass `next` back as `after`. */
export interface DocPage<T> {
  items: T[];
  next: string | null;
}

export interface DocQuery {
  /** Only this account's documents; null for all. */
  account?: string | null;
  after?: string | null;
  limit: number;
}

export type OrderStatus =
  | 'draft'
  | 'held'
  | 'confirmed'
  | 'partly_delivered'
  | 'delivered'
  | 'invoiced'
  | 'closed'
  | 'cancelled';

export interface TaxLine {
  rate: string;
  base: string;
  tax: string;
}

export interface Totals {
  lines: string;
  discount: string;
  net: string;
  taxes: TaxLine[];
  tax: string;
  total: string;
}

export type PriceSource = { from: 'list'; id: string; name: string } | { from: 'product_price' };

export interface OrderLine {
  id: string;
  product: string;
  sku: string;
  name: string;
  unit: string;
  kind: string;
  qty: string;
  unit_price: string;
  price_source: PriceSource;
  discount: string;
  tax_rate: string;
  net: string;
  reserved: string;
  backorder: string;
  delivered: string;
  invoiced: string;
  promise_date: string | null;
  expected_date: string | null;
}

export interface SalesOrder {
  id: string;
  /** Null while a draft. */
  number: string | null;
  account: string;
  customer_name: string;
  date: string;
  currency: string;
  warehouse: string;
  /** An `OrderStatus`, kept as a string should the backend add statuses. */
  status: string;
  fiscal_position: string;
  discount: string;
  lines: OrderLine[];
  totals: Totals;
  invoiced_amount: string;
  hold_reason: string | null;
  cancel_reason: string | null;
}

export interface DeliveryLine {
  order_line: string;
  product: string;
  sku: string;
  qty: string;
  cost: string;
}

export interface Delivery {
  id: string;
  number: string;
  order: string;
  order_number: string;
  account: string;
  customer_name: string;
  warehouse: string;
  date: string;
  promised: string | null;
  carrier: string | null;
  tracking: string | null;
  lines: DeliveryLine[];
  cost: string;
}

export interface InvoiceLine {
  order_line: string;
  product: string;
  sku: string;
  name: string;
  qty: string;
  unit_price: string;
  discount: string;
  tax_rate: string;
  net: string;
  income_account: string;
}

export interface Invoice {
  id: string;
  /** `invoice` | `credit_note`. */
  kind: string;
  /** Null while a draft. */
  number: string | null;
  account: string;
  customer_name: string;
  order: string | null;
  order_number: string | null;
  date: string;
  due: string;
  currency: string;
  rate: string;
  fiscal_note: string | null;
  discount: string;
  lines: InvoiceLine[];
  totals: Totals;
  /** `draft` | `posted`. */
  status: string;
  residual: string;
  residual_company: string;
  total_company: string;
  credit_of: string | null;
  journal_entry: string | null;
}

export interface OrderDetail extends SalesOrder {
  deliveries: Delivery[];
  invoices: Invoice[];
  /** Names of this order's steps still queued for the server, e.g. `order.confirm`. */
  pending: string[];
}

/** One order line as typed: a SKU and a quantity (and an optional discount). */
export interface OrderLineInput {
  sku: string;
  qty: string;
  discount?: string | null;
}

export interface PaymentAllocation {
  invoice: string;
  reference: string;
  amount: string;
  amount_company: string;
}

export interface Payment {
  id: string;
  /** `receipt` | `refund`. */
  kind: string;
  number: string;
  account: string;
  customer_name: string;
  date: string;
  currency: string;
  amount: string;
  rate: string;
  allocations: PaymentAllocation[];
  unallocated: string;
  journal_entry: string | null;
}

/** What "Post all drafts" submitted; `seq` is null when there was no draft to post. */
export interface PostedDrafts {
  count: number;
  seq: number | null;
}

/** What the server answered to a queued step. */
export type Outcome = { status: 'pending' } | { status: 'applied' } | { status: 'rejected'; code: string; reason: string };

export interface CustomerTerms {
  account: string;
  currency: string;
  credit_limit: string | null;
  /** `refuse` | `hold`. */
  credit_policy: string;
  payment_days: number;
  fiscal_position: string;
  /** `delivered` | `ordered`. */
  invoice_policy: string;
  discount: string | null;
}

export interface CustomerFacts {
  terms: CustomerTerms;
  orders: SalesOrder[];
  deliveries: Delivery[];
  invoices: Invoice[];
  payments: Payment[];
  openBalance: string;
  openOrders: string;
  creditAvailable: string | null;
  overLimit: boolean;
}

export interface AgingBuckets {
  current: string;
  d1_30: string;
  d31_60: string;
  d61_90: string;
  over_90: string;
  total: string;
}

export interface AgingRow extends AgingBuckets {
  customer: string;
  customer_name: string;
}

export interface Aging {
  as_of: string;
  customers: AgingRow[];
  total: AgingBuckets;
}

export interface TrialBalanceRow {
  code: string;
  name: string;
  kind: string;
  debit: string;
  credit: string;
  balance: string;
}

export interface TrialBalance {
  from: string | null;
  to: string;
  rows: TrialBalanceRow[];
  total_debit: string;
  total_credit: string;
}

export interface LedgerRow {
  code: string;
  name: string;
  amount: string;
}

export interface ProfitAndLoss {
  from: string | null;
  to: string;
  income: LedgerRow[];
  expenses: LedgerRow[];
  total_income: string;
  total_expenses: string;
  net_profit: string;
}

export interface BalanceSheet {
  at: string;
  assets: LedgerRow[];
  liabilities: LedgerRow[];
  equity: LedgerRow[];
  current_earnings: string;
  total_assets: string;
  total_liabilities_and_equity: string;
}

export interface DeliverInput {
  /** Empty = everything ready. */
  lines: OrderLineInput[];
  carrier?: string | null;
  tracking?: string | null;
}

export interface PaymentInput {
  account: string;
  amount: string;
  currency: string;
  invoice?: string | null;
}

/** One price in a list: from `min_qty` units on, each costs `unit_price`. */
export interface PriceListItem {
  /** Product id. */
  product: string;
  min_qty: string;
  unit_price: string;
}

export interface PriceList {
  id: string;
  name: string;
  currency: string;
  /** Account id when the list is for one customer; null for everyone. */
  customer: string | null;
  valid_from: string | null;
  valid_to: string | null;
  items: PriceListItem[];
}

/** One price to set (camelCase; the backend finds the list by name + currency + customer, or makes it). */
export interface PriceInput {
  list: string;
  currency: string;
  sku: string;
  price: string;
  minQty?: string | null;
  customer?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
}

// ---------- CRM: pipelines, deals, forecast ----------
// Core structs serialised with snake_case fields; money is `{amount: "decimal string", currency}`.

/** `open` | `won` | `lost` (a string, should the backend add outcomes). */
export type StageOutcome = string;

export interface Stage {
  name: string;
  /** Percent as a decimal string, e.g. `40`. */
  probability: string;
  outcome: StageOutcome;
  /** `pipeline` | `best_case` | `commit` | `closed` | `omitted`. */
  forecast_category: string;
}

export interface Pipeline {
  id: string;
  name: string;
  /** In board order. */
  stages: Stage[];
}

export interface Deal {
  id: string;
  name: string;
  account: string;
  contact: string | null;
  pipeline: string;
  /** The stage by name (unique within the pipeline, compared without regard to case). */
  stage: string;
  amount: MoneyValue;
  /** `YYYY-MM-DD`. */
  expected_close: string;
  owner: string;
  team: string | null;
  /** Set only while the deal is in a lost stage. */
  lost_reason: string | null;
  /** The day it reached a won or lost stage; null while open. */
  closed_on: string | null;
  created: string;
  lead: string | null;
  renews: string | null;
  custom?: Record<string, unknown>;
}

/** A deal form as typed (camelCase; blank = no value; the backend validates every field). */
export interface DealInput {
  name?: string | null;
  amount?: string | null;
  /** Blank: the company currency. */
  currency?: string | null;
  /** `YYYY-MM-DD`. */
  expectedClose?: string | null;
  /** Blank: the pipeline's first open stage. */
  stage?: string | null;
  /** Blank: the signed-in user. */
  owner?: string | null;
  team?: string | null;
  lostReason?: string | null;
}

export type Granularity = 'month' | 'quarter';
export type ForecastGroupBy = 'owner' | 'team';

/** One row's figures in the company currency (decimal strings). */
export interface ForecastFigures {
  open_pipeline: string;
  weighted: string;
  best_case: string;
  commit: string;
  closed_won: string;
  open_deals: number;
  won_deals: number;
}

/** Whose figures a row holds; a team of `null` is the deals without a team. */
export type ForecastGroup = { group: 'owner'; name: string } | { group: 'team'; name: string | null } | { group: 'total' };

export interface ForecastRow {
  period: { start: string; label: string };
  group: ForecastGroup;
  figures: ForecastFigures;
}

export interface Forecast {
  currency: string;
  /** By period; within one, groups by name, then the period's totals row. */
  rows: ForecastRow[];
}

// ---------- CRM: activities, calendar, quotes ----------
// Core structs with snake_case fields. Times are local wall-clock `YYYY-MM-DDTHH:MM:SS`
// (no zone); money, quantities and percents are decimal strings.

/** `call` | `meeting` | `task` | `email` | `note` (a string, should the backend add kinds). */
export type ActivityKind = string;

/** What an activity is about (at least one). */
export interface ActivityLinks {
  account: string | null;
  contact: string | null;
  deal: string | null;
  lead: string | null;
  territory?: string | null;
}

export interface Activity {
  id: string;
  kind: ActivityKind;
  subject: string;
  body: string | null;
  due: string | null;
  duration_minutes: number | null;
  done_at: string | null;
  assignee: string;
  /** Never after `due`; fires once. */
  reminder: string | null;
  reminded_at: string | null;
  links: ActivityLinks;
  created: string;
}

/** What to link (or whose timeline to read): ids; the account is found from a contact or deal. */
export interface LinkInput {
  account?: string | null;
  contact?: string | null;
  deal?: string | null;
  lead?: string | null;
}

/** An activity form as typed (times `YYYY-MM-DD HH:MM`; blank = no value; the backend validates). */
export interface ActivityInput {
  kind?: string | null;
  subject?: string | null;
  body?: string | null;
  due?: string | null;
  durationMinutes?: string | null;
  /** Blank: the signed-in user. */
  assignee?: string | null;
  reminder?: string | null;
}

export interface CalendarDay {
  /** `YYYY-MM-DD`. */
  date: string;
  /** By time. */
  activities: Activity[];
}

/** `tandem://reminder`: a reminder fired (also shown as a desktop notification). */
export interface Reminder {
  id: string;
  kind: string;
  subject: string;
  /** `YYYY-MM-DD HH:MM`. */
  due: string | null;
  account: string | null;
  accountName: string | null;
}

/** A product line of a quote (alone or inside a bundle), priced as the order would be. */
export interface QuoteItem {
  id: string;
  product: string;
  /** Per bundle inside a bundle. */
  qty: string;
  discount: string;
  optional: boolean;
  selected: boolean;
  sku: string;
  name: string;
  unit_price: string;
  price_source: PriceSource;
  tax_rate: string;
  net: string;
}

export interface QuoteBundle {
  id: string;
  name: string;
  qty: number;
  optional: boolean;
  selected: boolean;
  components: QuoteItem[];
  net: string;
}

export type QuoteLine = ({ type: 'item' } & QuoteItem) | ({ type: 'bundle' } & QuoteBundle);

export interface QuoteApproval {
  requested_by: string;
  requested_at: string | null;
  reason: string | null;
  granted_by: string | null;
  granted_at: string | null;
  refused_by: string | null;
  refusal: string | null;
}

/** `draft` | `pending_approval` | `approved` | `sent` | `accepted` | `rejected` | `expired`. */
export type QuoteStatus = string;

export interface Quote {
  id: string;
  /** Given by the server when sent; null before. */
  number: string | null;
  account: string;
  customer_name: string;
  deal: string | null;
  currency: string;
  price_list: string | null;
  lines: QuoteLine[];
  discount: string;
  status: QuoteStatus;
  valid_until: string;
  priced_on: string;
  approval: QuoteApproval | null;
  /** Of the lines that count (not optional, or selected). */
  totals: Totals;
  created: string;
  sent_on: string | null;
  closed_on: string | null;
  /** The order an accepted quote became. */
  order: string | null;
}

/** One quote line as typed; lines with the same `bundle` name form one bundle. */
export interface QuoteLineInput {
  sku: string;
  qty: string;
  discount?: string | null;
  optional?: boolean;
  bundle?: string | null;
}

export type QuoteStep = 'request_approval' | 'approve' | 'refuse_approval' | 'send' | 'reject';

// ---------- CRM: leads, CSV import, global search ----------
// Core structs with snake_case fields, like the deals.

/** Where a lead is; `disqualified` says why, `converted` what it became. */
export type LeadStatus =
  | { state: 'new' }
  | { state: 'working' }
  | { state: 'qualified' }
  | { state: 'disqualified'; reason: string }
  | { state: 'converted'; account: string; contact: string; deal: string | null };

export interface Lead {
  id: string;
  company: string;
  person: string | null;
  email: string | null;
  phone: string | null;
  vat_id: string | null;
  city: string | null;
  /** `web` | `referral` | `event` | `cold_call` | `partner` | `import` | `other`. */
  source: string;
  status: LeadStatus;
  owner: string;
  territory: string | null;
  custom?: Record<string, unknown>;
  /** `YYYY-MM-DD`. */
  created: string;
}

/** A lead form as typed (camelCase; blank = no value; the backend validates every field). */
export interface LeadInput {
  company?: string | null;
  person?: string | null;
  email?: string | null;
  phone?: string | null;
  vatId?: string | null;
  city?: string | null;
  /** Blank: `other`. */
  source?: string | null;
  /** Blank: the signed-in user. */
  owner?: string | null;
  territory?: string | null;
}

export type LeadStep = 'work' | 'qualify' | 'disqualify' | 'reopen';

/** Why a record may be the lead: `company_name`, `email`, `email_domain`, `vat_id` or `phone`. */
export interface MatchReason {
  by: string;
  value: string;
}

/** An account or contact that may already be the lead. */
export interface DuplicateMatch {
  record: { kind: 'account' | 'contact'; id: string };
  name: string;
  reasons: MatchReason[];
}

/** How to convert a lead (blank text = not given). */
export interface ConvertLeadOptions {
  /** Into this existing account; none: a new account. */
  intoAccount?: string | null;
  /** A new account although the duplicate check found matches. */
  newAnyway?: boolean;
  /** The contact's name when the lead names no person. */
  contactName?: string | null;
  /** Open a deal; none: no deal. */
  deal?: DealInput | null;
  /** Blank: the only (or the standard) pipeline. */
  pipeline?: string | null;
}

export interface ConvertedLead {
  account: string;
  contact: string;
  deal: string | null;
}

/** Where a CSV column goes: a built-in field (snake_case name) or a custom field (its key). */
export type ImportTarget = { to: 'field'; name: string } | { to: 'custom'; name: string };

/** The record types a CSV file can import into. */
export type ImportEntity = 'lead' | 'account' | 'contact' | 'deal';

/** Which column goes where (`null`: ignored), in header order. */
export interface ColumnMapping {
  entity: ImportEntity;
  headers: string[];
  columns: (ImportTarget | null)[];
}

/** One problem of an import, where the user finds it in the spreadsheet. */
export interface ImportProblem {
  line: number;
  /** The column's header, when the problem is in one column. */
  column: string | null;
  message: string;
}

export interface ImportPreviewRow {
  line: number;
  cells: string[];
  errors: ImportProblem[];
}

export interface ImportPreview {
  /** The mapping the rows were checked with: the one asked for, else the suggested one. */
  mapping: ColumnMapping;
  /** The first rows as they would import with that mapping, each with its problems. */
  rows: ImportPreviewRow[];
  /** Why the mapping cannot import at all (line 1), e.g. a required field has no column. */
  problems: ImportProblem[];
  /** The built-in fields a column can go to (snake_case). */
  fields: string[];
  /** The custom fields a column can go to. */
  custom: { key: string; label: string }[];
}

/** What a bulk edit sets on every selected deal (omitted = unchanged); `stage` moves them. */
export interface BulkDealEdit {
  owner?: string;
  /** `YYYY-MM-DD`. */
  expectedClose?: string;
  team?: string;
  stage?: string;
}

/** What a bulk edit sets on every selected lead (omitted = unchanged). */
export interface BulkLeadEdit {
  owner?: string;
  territory?: string;
}

/** A refused import (`code` `import`) names every bad line and column in `errors`; nothing was imported. */
export interface ImportRefusal extends AppError {
  errors?: ImportProblem[];
}

/** One global-search hit. */
export interface SearchHit {
  /** `account` | `contact` | `deal` | `lead`. */
  kind: string;
  id: string;
  /** The account a contact or deal belongs to. */
  account: string | null;
  title: string;
  detail: string;
}

export type Unsubscribe = () => void;

export interface Backend {
  listAccounts(query: ListQuery): Promise<Page<AccountRow>>;
  getAccount(id: string): Promise<AccountDetail>;
  createAccount(input: AccountInput): Promise<AccountRow>;
  updateAccount(id: string, input: AccountInput): Promise<AccountRow>;
  deleteAccount(id: string): Promise<null>;
  addContact(accountId: string, input: ContactInput): Promise<Contact>;
  updateContact(id: string, input: ContactInput): Promise<Contact>;
  deleteContact(id: string): Promise<null>;
  syncStatus(): Promise<SyncStatus>;
  syncNow(): Promise<SyncStatus>;
  signIn(serverUrl: string, user: string, password: string): Promise<SyncStatus>;
  signOut(): Promise<SyncStatus>;
  appInfo(): Promise<AppInfo>;
  /** `'current'` keeps the winning value; `'overwritten'` puts the overwritten value back. */
  resolveConflict(id: string, keep: ConflictKeep): Promise<SyncStatus>;
  /** Admins only (else `forbidden`); online only. Keyset paged: pass `next` as `before`. */
  auditPage(before: number | null, limit: number, recordId: string | null): Promise<AuditPage>;
  /** The server's version; `null` in a local workspace. */
  serverInfo(): Promise<ServerHealth | null>;
  updateStatus(): Promise<UpdateStatus>;
  /** "Check for updates": asks the server now (and downloads an offered update). */
  updateCheck(): Promise<UpdateStatus>;
  /** Installs the ready update and relaunches the app (resolves only on failure). */
  updateInstall(): Promise<null>;
  /** Why the app could not open its data at start, if it could not. */
  startupError(): Promise<AppError | null>;
  /** `tandem://update-status`: a check, download or refusal happened. */
  onUpdateStatus: (handler: (status: UpdateStatus) => void) => Promise<Unsubscribe>;
  /** `tandem://sync-status`: the sync state changed. */
  onSyncStatus: (handler: (status: SyncStatus) => void) => Promise<Unsubscribe>;
  /** `tandem://data-changed`: data changed underneath (e.g. after a pull). */
  onDataChanged: (handler: () => void) => Promise<Unsubscribe>;
  // Order-to-cash. Steps the server decides return the outbox `seq`; ask `erpOutcome(seq)` what became of it.
  erpProducts(): Promise<ProductRow[]>;
  /** Returns the new product's id. */
  erpCreateProduct(input: ProductInput): Promise<string>;
  erpStock(): Promise<StockRow[]>;
  erpReceiveStock(sku: string, qty: string, unitCost: string, warehouse?: string | null): Promise<number>;
  erpOrders(query: DocQuery): Promise<DocPage<SalesOrder>>;
  erpOrder(id: string): Promise<OrderDetail>;
  /** Returns the new (draft) order's id. */
  erpCreateOrder(account: string, lines: OrderLineInput[], discount?: string | null): Promise<string>;
  erpConfirmOrder(id: string): Promise<number>;
  erpReleaseOrder(id: string): Promise<number>;
  erpCancelOrder(id: string, reason: string): Promise<number>;
  erpDeliverOrder(id: string, input: DeliverInput): Promise<number>;
  erpDeliveries(query: DocQuery): Promise<DocPage<Delivery>>;
  erpInvoices(query: DocQuery): Promise<DocPage<Invoice>>;
  erpInvoice(id: string): Promise<Invoice>;
  /** Returns the new (draft) invoice's id. */
  erpCreateInvoice(order: string): Promise<string>;
  erpPostInvoice(id: string): Promise<number>;
  /** How many draft invoices this device holds (what `erpPostDrafts` would post). */
  erpDraftCount(): Promise<number>;
  /**
   * Posts every draft invoice in one posting (all or none; numbered in date order). `expected`:
   * the count the user confirmed; if the drafts changed since, nothing is posted (`drafts_changed`).
   */
  erpPostDrafts(expected: number): Promise<PostedDrafts>;
  /** Returns the credit note's id. */
  erpCreditInvoice(id: string): Promise<string>;
  erpPayments(query: DocQuery): Promise<DocPage<Payment>>;
  erpRecordPayment(input: PaymentInput): Promise<number>;
  erpOutcome(seq: number): Promise<Outcome>;
  erpCustomerFacts(account: string): Promise<CustomerFacts>;
  erpSetTerms(terms: CustomerTerms): Promise<number>;
  erpAging(asOf?: string | null): Promise<Aging>;
  /** Not for sales reps (`forbidden`). */
  erpTrialBalance(from?: string | null, to?: string | null): Promise<TrialBalance>;
  erpProfitAndLoss(from?: string | null, to?: string | null): Promise<ProfitAndLoss>;
  erpBalanceSheet(at?: string | null): Promise<BalanceSheet>;
  erpPriceLists(): Promise<PriceList[]>;
  /** Returns the price list's id. */
  erpSetPrice(input: PriceInput): Promise<string>;
  // CRM. Writes happen on the device first (offline too); the server decides them again.
  crmPipelines(): Promise<Pipeline[]>;
  /** Returns the new pipeline's id (standard stages: Qualify, Propose, Negotiate, Won, Lost). */
  crmCreatePipeline(name: string): Promise<string>;
  /** Deals by expected close date, paged by key (every pipeline). */
  crmDeals(query: DocQuery): Promise<DocPage<Deal>>;
  crmDeal(id: string): Promise<Deal>;
  /** Returns the new deal's id; `pipeline` null = the only (or the standard) pipeline. */
  crmCreateDeal(account: string, contact: string | null, pipeline: string | null, input: DealInput): Promise<string>;
  /** A lost stage needs `lostReason`; a stage the pipeline lacks is refused (`unknown_stage`). */
  crmMoveDeal(id: string, stage: string, lostReason?: string | null): Promise<Deal>;
  crmForecast(granularity: Granularity, groupBy: ForecastGroupBy): Promise<Forecast>;
  // Leads and the global search.
  /** Leads by company name, paged by key. */
  crmLeads(query: { after?: string | null; limit: number }): Promise<DocPage<Lead>>;
  crmLead(id: string): Promise<Lead>;
  /** Returns the new lead's id. */
  crmCreateLead(input: LeadInput): Promise<string>;
  /** `disqualify` needs a reason. */
  crmSetLeadStatus(id: string, step: LeadStep, reason?: string | null): Promise<Lead>;
  crmLeadDuplicates(id: string): Promise<DuplicateMatch[]>;
  crmProfile(id: string): Promise<Profile>;
  crmEditProfile(entity: 'account' | 'contact', id: string, input: ProfileInput): Promise<Profile>;
  /** The same change on every selected record, all or nothing; resolves to how many changed. */
  crmBulkEditProfiles(entity: 'account' | 'contact', ids: string[], input: ProfileInput): Promise<number>;
  crmAccountDuplicates(): Promise<AccountDuplicate[]>;
  crmCustomFields(entity: 'account' | 'contact' | 'deal' | 'lead'): Promise<FieldDef[]>;
  /** Folds `merged` into `keep`; resolves to the id of the note left on `keep`'s timeline. */
  crmMergeAccounts(keep: string, merged: string): Promise<string>;
  /** Possible duplicates refuse it unless `intoAccount` or `newAnyway`. */
  crmConvertLead(id: string, options: ConvertLeadOptions): Promise<ConvertedLead>;
  /**
   * `text`: the CSV file's content; `mapping` null: the suggested one; `pipeline` (deals) null:
   * the only (or the standard) one. Rejects with an `ImportRefusal`.
   */
  crmPreviewImport(entity: ImportEntity, text: string, mapping: ColumnMapping | null, pipeline: string | null): Promise<ImportPreview>;
  /** All or nothing; returns how many records were imported. Rejects with an `ImportRefusal`. */
  crmImport(entity: ImportEntity, text: string, mapping: ColumnMapping | null, pipeline: string | null): Promise<number>;
  /** Every account's contacts, paged by key (for the CSV export). */
  crmContacts(query: { after?: string | null; limit: number }): Promise<DocPage<Contact>>;
  /** All or none; returns how many deals changed. */
  crmBulkEditDeals(ids: string[], edit: BulkDealEdit): Promise<number>;
  /** All or none; returns how many leads changed. */
  crmBulkEditLeads(ids: string[], edit: BulkLeadEdit): Promise<number>;
  /** Accounts, contacts, deals and leads matching every typed word (as prefixes), best first. */
  search(text: string, limit: number): Promise<SearchHit[]>;
  // Activities and quotes (written on the device first, offline too).
  /** Newest first, paged by key; `links.deal` narrows an account's timeline to one deal. */
  crmTimeline(links: LinkInput, after: string | null, limit: number): Promise<DocPage<Activity>>;
  /** Returns the new activity's id. */
  crmAddActivity(links: LinkInput, input: ActivityInput): Promise<string>;
  /** `source`: the raw e-mail (.eml text). Returns the new activity's id. */
  crmLogEmail(links: LinkInput, source: string): Promise<string>;
  crmCompleteActivity(id: string): Promise<Activity>;
  /** `due`, `reminder`: `YYYY-MM-DD HH:MM`; no reminder = an existing one moves along. */
  crmRescheduleActivity(id: string, due: string, reminder?: string | null): Promise<Activity>;
  /** `days` days from `from` (`YYYY-MM-DD`). */
  crmCalendar(from: string, days: number): Promise<CalendarDay[]>;
  crmQuotes(query: DocQuery): Promise<DocPage<Quote>>;
  crmQuote(id: string): Promise<Quote>;
  /** Returns the new (draft) quote's id. */
  crmCreateQuote(
    account: string,
    deal: string | null,
    lines: QuoteLineInput[],
    discount?: string | null,
    validUntil?: string | null,
  ): Promise<string>;
  crmUpdateQuote(id: string, lines: QuoteLineInput[], discount?: string | null, validUntil?: string | null): Promise<Quote>;
  crmQuoteStep(id: string, step: QuoteStep, reason?: string | null): Promise<Quote>;
  /** `selected`: SKUs of the optional lines chosen. Returns the new draft order's id. */
  crmAcceptQuote(id: string, selected: string[]): Promise<string>;
  /** Why the quote needs a sales manager's approval (empty: it does not). */
  crmQuoteApprovalReasons(id: string): Promise<string[]>;
  /** `tandem://reminder`: a reminder of the signed-in user fired. */
  onReminder: (handler: (reminder: Reminder) => void) => Promise<Unsubscribe>;
}

export const SYNC_STATUS_EVENT = 'tandem://sync-status';
export const DATA_CHANGED_EVENT = 'tandem://data-changed';
export const UPDATE_STATUS_EVENT = 'tandem://update-status';
export const REMINDER_EVENT = 'tandem://reminder';

/** Calls a command; a rejection is always normalised to an `AppError`. */
async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error: unknown) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the contract rejects with AppError
    throw toAppError(error);
  }
}

/** An import's rejection keeps its lines (`errors`), which `call` would drop. */
function rejectImport(error: unknown): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the contract rejects with ImportRefusal
  throw toImportRefusal(error);
}

export const tauriBackend: Backend = {
  listAccounts: (query) => call('list_accounts', { query }),
  getAccount: (id) => call('get_account', { id }),
  createAccount: (input) => call('create_account', { input }),
  updateAccount: (id, input) => call('update_account', { id, input }),
  deleteAccount: (id) => call('delete_account', { id }),
  addContact: (accountId, input) => call('add_contact', { accountId, input }),
  updateContact: (id, input) => call('update_contact', { id, input }),
  deleteContact: (id) => call('delete_contact', { id }),
  syncStatus: () => call('sync_status'),
  syncNow: () => call('sync_now'),
  signIn: (serverUrl, user, password) => call('sign_in', { serverUrl, user, password }),
  signOut: () => call('sign_out'),
  appInfo: () => call('app_info'),
  resolveConflict: (id, keep) => call('resolve_conflict', { id, keep }),
  auditPage: (before, limit, recordId) => call('audit_page', { before, limit, recordId }),
  serverInfo: () => call('server_info'),
  updateStatus: () => call('update_status'),
  updateCheck: () => call('update_check'),
  updateInstall: () => call('update_install'),
  startupError: () => call('startup_error'),
  onUpdateStatus: (handler) =>
    listen<UpdateStatus>(UPDATE_STATUS_EVENT, (event) => {
      handler(event.payload);
    }),
  onSyncStatus: (handler) =>
    listen<SyncStatus>(SYNC_STATUS_EVENT, (event) => {
      handler(event.payload);
    }),
  onDataChanged: (handler) =>
    listen(DATA_CHANGED_EVENT, () => {
      handler();
    }),
  erpProducts: () => call('erp_products'),
  erpCreateProduct: (input) => call('erp_create_product', { input }),
  erpStock: () => call('erp_stock'),
  erpReceiveStock: (sku, qty, unitCost, warehouse) =>
    call('erp_receive_stock', { sku, qty, unitCost, warehouse: warehouse ?? null }),
  erpOrders: ({ account, after, limit }) => call('erp_orders', { account: account ?? null, after: after ?? null, limit }),
  erpOrder: (id) => call('erp_order', { id }),
  erpCreateOrder: (account, lines, discount) => call('erp_create_order', { account, lines, discount: discount ?? null }),
  erpConfirmOrder: (id) => call('erp_confirm_order', { id }),
  erpReleaseOrder: (id) => call('erp_release_order', { id }),
  erpCancelOrder: (id, reason) => call('erp_cancel_order', { id, reason }),
  erpDeliverOrder: (id, { lines, carrier, tracking }) =>
    call('erp_deliver_order', { id, lines, carrier: carrier ?? null, tracking: tracking ?? null }),
  erpDeliveries: ({ account, after, limit }) =>
    call('erp_deliveries', { account: account ?? null, after: after ?? null, limit }),
  erpInvoices: ({ account, after, limit }) => call('erp_invoices', { account: account ?? null, after: after ?? null, limit }),
  erpInvoice: (id) => call('erp_invoice', { id }),
  erpCreateInvoice: (order) => call('erp_create_invoice', { order }),
  erpPostInvoice: (id) => call('erp_post_invoice', { id }),
  erpDraftCount: () => call('erp_draft_count'),
  erpPostDrafts: (expected) => call('erp_post_drafts', { expected }),
  erpCreditInvoice: (id) => call('erp_credit_invoice', { id }),
  erpPayments: ({ account, after, limit }) => call('erp_payments', { account: account ?? null, after: after ?? null, limit }),
  erpRecordPayment: ({ account, amount, currency, invoice }) =>
    call('erp_record_payment', { account, amount, currency, invoice: invoice ?? null }),
  erpOutcome: (seq) => call('erp_outcome', { seq }),
  erpCustomerFacts: (account) => call('erp_customer_facts', { account }),
  erpSetTerms: (terms) => call('erp_set_terms', { terms }),
  erpAging: (asOf) => call('erp_aging', { asOf: asOf ?? null }),
  erpTrialBalance: (from, to) => call('erp_trial_balance', { from: from ?? null, to: to ?? null }),
  erpProfitAndLoss: (from, to) => call('erp_profit_and_loss', { from: from ?? null, to: to ?? null }),
  erpBalanceSheet: (at) => call('erp_balance_sheet', { at: at ?? null }),
  erpPriceLists: () => call('erp_price_lists'),
  erpSetPrice: (input) => call('erp_set_price', { input }),
  crmPipelines: () => call('crm_pipelines'),
  crmCreatePipeline: (name) => call('crm_create_pipeline', { name }),
  crmDeals: ({ account, after, limit }) => call('crm_deals', { account: account ?? null, after: after ?? null, limit }),
  crmDeal: (id) => call('crm_deal', { id }),
  crmCreateDeal: (account, contact, pipeline, input) => call('crm_create_deal', { account, contact, pipeline, input }),
  crmMoveDeal: (id, stage, lostReason) => call('crm_move_deal', { id, stage, lostReason: lostReason ?? null }),
  crmForecast: (granularity, groupBy) => call('crm_forecast', { granularity, groupBy }),
  crmLeads: ({ after, limit }) => call('crm_leads', { after: after ?? null, limit }),
  crmLead: (id) => call('crm_lead', { id }),
  crmCreateLead: (input) => call('crm_create_lead', { input }),
  crmSetLeadStatus: (id, step, reason) => call('crm_set_lead_status', { id, step, reason: reason ?? null }),
  crmLeadDuplicates: (id) => call('crm_lead_duplicates', { id }),
  crmProfile: (id) => call('crm_profile', { id }),
  crmEditProfile: (entity, id, input) => call('crm_edit_profile', { entity, id, input }),
  crmBulkEditProfiles: (entity, ids, input) => call('crm_bulk_edit_profiles', { entity, ids, input }),
  crmAccountDuplicates: () => call('crm_account_duplicates', {}),
  crmCustomFields: (entity) => call('crm_custom_fields', { entity }),
  crmMergeAccounts: (keep, merged) => call('crm_merge_accounts', { keep, merged }),
  crmConvertLead: (id, options) => call('crm_convert_lead', { id, options }),
  crmPreviewImport: (entity, text, mapping, pipeline) =>
    invoke<ImportPreview>('crm_preview_import', { entity, text, mapping, pipeline }).catch(rejectImport),
  crmImport: (entity, text, mapping, pipeline) =>
    invoke<number>('crm_import', { entity, text, mapping, pipeline }).catch(rejectImport),
  crmContacts: ({ after, limit }) => call('crm_contacts', { after: after ?? null, limit }),
  crmBulkEditDeals: (ids, edit) => call('crm_bulk_edit_deals', { ids, edit }),
  crmBulkEditLeads: (ids, edit) => call('crm_bulk_edit_leads', { ids, edit }),
  search: (text, limit) => call('search', { text, limit }),
  crmTimeline: (links, after, limit) => call('crm_timeline', { links, after, limit }),
  crmAddActivity: (links, input) => call('crm_add_activity', { links, input }),
  crmLogEmail: (links, source) => call('crm_log_email', { links, source }),
  crmCompleteActivity: (id) => call('crm_complete_activity', { id }),
  crmRescheduleActivity: (id, due, reminder) => call('crm_reschedule_activity', { id, due, reminder: reminder ?? null }),
  crmCalendar: (from, days) => call('crm_calendar', { from, days }),
  crmQuotes: ({ account, after, limit }) => call('crm_quotes', { account: account ?? null, after: after ?? null, limit }),
  crmQuote: (id) => call('crm_quote', { id }),
  crmCreateQuote: (account, deal, lines, discount, validUntil) =>
    call('crm_create_quote', { account, deal, lines, discount: discount ?? null, validUntil: validUntil ?? null }),
  crmUpdateQuote: (id, lines, discount, validUntil) =>
    call('crm_update_quote', { id, lines, discount: discount ?? null, validUntil: validUntil ?? null }),
  crmQuoteStep: (id, step, reason) => call('crm_quote_step', { id, step, reason: reason ?? null }),
  crmAcceptQuote: (id, selected) => call('crm_accept_quote', { id, selected }),
  crmQuoteApprovalReasons: (id) => call('crm_quote_approval_reasons', { id }),
  onReminder: (handler) =>
    listen<Reminder>(REMINDER_EVENT, (event) => {
      handler(event.payload);
    }),
};
