// Pure logic of the Leads screen: the capture form's input, which steps a status offers, the
// convert dialog's options, the CSV import's mapping edits and preview, and the CSV export.
// The backend decides every rule (what a valid e-mail is, which step is allowed, duplicates).
import type {
  AppError,
  ColumnMapping,
  ConvertLeadOptions,
  DealInput,
  DuplicateMatch,
  ImportPreviewRow,
  ImportProblem,
  ImportRefusal,
  ImportTarget,
  Lead,
  LeadInput,
  LeadStatus,
  LeadStep,
  MatchReason,
} from '../backend';
import { toAppError } from './errors';

// ---------- capture form ----------

export const LEAD_SOURCES = ['web', 'referral', 'event', 'cold_call', 'partner', 'import', 'other'] as const;

export const SOURCE_LABEL: Record<string, string> = {
  web: 'Web',
  referral: 'Referral',
  event: 'Event',
  cold_call: 'Cold call',
  partner: 'Partner',
  import: 'Import',
  other: 'Other',
};

export function sourceLabel(source: string): string {
  return SOURCE_LABEL[source] ?? source;
}

export const LEAD_FIELDS = ['company', 'person', 'email', 'phone', 'vatId', 'city', 'source', 'territory'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];
export type LeadFormValues = Record<LeadField, string>;

export function emptyLeadForm(): LeadFormValues {
  return { company: '', person: '', email: '', phone: '', vatId: '', city: '', source: 'web', territory: '' };
}

/** What is sent on create: every field trimmed; blank means "no value". */
export function leadCreateInput(values: LeadFormValues): LeadInput {
  const input: LeadInput = {};
  for (const field of LEAD_FIELDS) {
    input[field] = values[field].trim();
  }
  return input;
}

// ---------- status ----------

export const STATUS_LABEL: Record<LeadStatus['state'], string> = {
  new: 'New',
  working: 'Working',
  qualified: 'Qualified',
  disqualified: 'Disqualified',
  converted: 'Converted',
};

export function statusLabel(status: LeadStatus): string {
  return STATUS_LABEL[status.state];
}

export type LeadAction = LeadStep | 'convert';

/**
 * The buttons a lead in `status` offers (the backend decides again): work a new lead; qualify or
 * disqualify an open one; reopen a disqualified one; convert an open one. A converted lead is done.
 */
export function leadActions(status: LeadStatus): LeadAction[] {
  switch (status.state) {
    case 'new':
      return ['work', 'qualify', 'disqualify', 'convert'];
    case 'working':
      return ['qualify', 'disqualify', 'convert'];
    case 'qualified':
      return ['disqualify', 'convert'];
    case 'disqualified':
      return ['reopen'];
    case 'converted':
      return [];
  }
}

// ---------- conversion ----------

/** Why a record may be the lead, in words (as the CLI says it). */
export function reasonText(reason: MatchReason): string {
  switch (reason.by) {
    case 'company_name':
      return `same company name (${reason.value})`;
    case 'email':
      return `same e-mail ${reason.value}`;
    case 'email_domain':
      return `same e-mail domain ${reason.value}`;
    case 'vat_id':
      return `same VAT id ${reason.value}`;
    case 'phone':
      return `same phone ${reason.value}`;
    default:
      return `${reason.by} ${reason.value}`;
  }
}

/** The matches a lead can be converted into: accounts (a matched contact is shown, not picked). */
export function duplicateAccounts(matches: readonly DuplicateMatch[]): DuplicateMatch[] {
  return matches.filter((m) => m.record.kind === 'account');
}

/** `new`: a new account; otherwise the id of the existing account to convert into. */
export type AccountPick = 'new' | { account: string };

export interface ConvertFormValues {
  pick: AccountPick;
  contactName: string;
  openDeal: boolean;
  dealName: string;
  amount: string;
  currency: string;
  expectedClose: string;
  pipeline: string;
}

export const CONVERT_DEAL_FIELDS = ['name', 'amount', 'currency', 'expectedClose'] as const;

/** What the convert dialog sends: a new account is `newAnyway` (the user saw the matches). */
export function convertOptions(values: ConvertFormValues): ConvertLeadOptions {
  const text = (v: string) => {
    const t = v.trim();
    return t === '' ? null : t;
  };
  const deal: DealInput | null = values.openDeal
    ? {
        name: text(values.dealName),
        amount: text(values.amount),
        currency: text(values.currency)?.toUpperCase() ?? null,
        expectedClose: text(values.expectedClose),
      }
    : null;
  return {
    intoAccount: values.pick === 'new' ? null : values.pick.account,
    newAnyway: values.pick === 'new',
    contactName: text(values.contactName),
    deal,
    pipeline: values.openDeal ? text(values.pipeline) : null,
  };
}

// ---------- CSV import ----------

/** The built-in fields a lead import can fill (as the backend names them), with labels. */
export const LEAD_IMPORT_FIELDS: readonly { name: string; label: string }[] = [
  { name: 'company', label: 'Company' },
  { name: 'person', label: 'Person' },
  { name: 'first_name', label: 'First name' },
  { name: 'last_name', label: 'Last name' },
  { name: 'email', label: 'E-mail' },
  { name: 'phone', label: 'Phone' },
  { name: 'vat_id', label: 'VAT id' },
  { name: 'city', label: 'City' },
  { name: 'source', label: 'Source' },
  { name: 'owner', label: 'Owner' },
  { name: 'territory', label: 'Territory' },
];

/** The value of a mapping select: `field:email`, `custom:key`, or `''` for an ignored column. */
export function targetKey(target: ImportTarget | null): string {
  return target === null ? '' : `${target.to}:${target.name}`;
}

export function targetFromKey(key: string): ImportTarget | null {
  const at = key.indexOf(':');
  if (at < 0) {
    return null;
  }
  const to = key.slice(0, at);
  const name = key.slice(at + 1);
  if (name === '' || (to !== 'field' && to !== 'custom')) {
    return null;
  }
  return { to, name };
}

export function targetLabel(target: ImportTarget | null): string {
  if (target === null) {
    return 'Ignored';
  }
  if (target.to === 'custom') {
    return `Custom: ${target.name}`;
  }
  return LEAD_IMPORT_FIELDS.find((f) => f.name === target.name)?.label ?? target.name;
}

/**
 * The mapping with column `index` sent to the target `key` (`''`: ignored). A field takes one
 * column, so a column that went there before is ignored from now on.
 */
export function remapColumn(mapping: ColumnMapping, index: number, key: string): ColumnMapping {
  const target = targetFromKey(key);
  const columns = mapping.columns.map((c, i) => {
    if (i === index) {
      return target;
    }
    return target !== null && targetKey(c) === key ? null : c;
  });
  return { ...mapping, columns };
}

export function sameMapping(a: ColumnMapping, b: ColumnMapping): boolean {
  return (
    a.headers.length === b.headers.length &&
    a.columns.length === b.columns.length &&
    a.columns.every((c, i) => targetKey(c) === targetKey(b.columns[i] ?? null))
  );
}

export interface MappedPreview {
  /** The target of each shown column, in header order (ignored columns left out). */
  columns: { index: number; header: string; target: ImportTarget }[];
  rows: { line: number; cells: string[]; errors: ImportProblem[] }[];
}

/**
 * The preview rows as the current mapping would import them: one column per mapped target
 * (ignored columns left out). The rows' problems were found with the suggested mapping, so
 * they are kept only while the mapping is still the suggested one.
 */
export function mappedPreview(mapping: ColumnMapping, rows: readonly ImportPreviewRow[], suggested: boolean): MappedPreview {
  const columns = mapping.columns.flatMap((target, index) =>
    target === null ? [] : [{ index, header: mapping.headers[index] ?? '', target }],
  );
  return {
    columns,
    rows: rows.map((r) => ({
      line: r.line,
      cells: columns.map((c) => r.cells[c.index] ?? ''),
      errors: suggested ? r.errors : [],
    })),
  };
}

/** Has the mapping a company column? (A lead needs one; the backend says so too.) */
export function mapsCompany(mapping: ColumnMapping): boolean {
  return mapping.columns.some((c) => c?.to === 'field' && c.name === 'company');
}

function isProblem(value: unknown): value is ImportProblem {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return (
    typeof v.line === 'number' &&
    typeof v.message === 'string' &&
    (v.column === null || v.column === undefined || typeof v.column === 'string')
  );
}

/** A failed import or preview as an `AppError` that keeps its lines (`errors`). */
export function toImportRefusal(error: unknown): ImportRefusal {
  const base: AppError = toAppError(error);
  if (typeof error === 'object' && error !== null && Array.isArray((error as Record<string, unknown>).errors)) {
    const raw = (error as { errors: unknown[] }).errors;
    const errors = raw.filter(isProblem).map((e) => ({ line: e.line, column: e.column ?? null, message: e.message }));
    return { ...base, errors };
  }
  return base;
}

// ---------- CSV export ----------

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A value of digits and phone punctuation only: a spreadsheet cannot run it, so it stays as is. */
const NUMBER_LIKE = /^[+-]?[\d\s()./-]*$/;

/**
 * One CSV cell: quoted when it holds a comma, a quote, a line break or leading/trailing space
 * (quotes doubled), and prefixed with `'` when a spreadsheet would run it as a formula (`=`, `@`,
 * or a `+`/`-` not followed by a plain number such as a phone number).
 */
export function csvCell(value: string | null | undefined): string {
  let v = value ?? '';
  if (FORMULA_START.test(v) && !NUMBER_LIKE.test(v)) {
    v = `'${v}`;
  }
  const needsQuotes = /[",\r\n]/.test(v) || v !== v.trim();
  return needsQuotes ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A header and rows as CSV: comma-separated, CRLF line ends (what spreadsheets expect). */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const EXPORT_HEADER = [
  'Company',
  'Person',
  'E-mail',
  'Phone',
  'VAT id',
  'City',
  'Source',
  'Status',
  'Owner',
  'Territory',
  'Created',
] as const;

/** The leads as a CSV file that imports again (its headers map to the same fields). */
export function leadsCsv(leads: readonly Lead[]): string {
  return toCsv(
    EXPORT_HEADER,
    leads.map((l) => [
      l.company,
      l.person,
      l.email,
      l.phone,
      l.vat_id,
      l.city,
      l.source,
      l.status.state,
      l.owner,
      l.territory,
      l.created,
    ]),
  );
}

/** `leads-2026-05-01.csv`. */
export function exportFileName(today: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `leads-${String(today.getFullYear())}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}.csv`;
}
