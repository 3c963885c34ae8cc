// Pure logic of the CSV import dialog (leads, accounts, contacts, deals): the mapping edits, the
// preview as the mapping imports it, and a refusal that keeps its lines. The backend suggests
// the mapping, checks every row and decides what imports.
import type {
  AppError,
  ColumnMapping,
  ImportEntity,
  ImportPreview,
  ImportPreviewRow,
  ImportProblem,
  ImportRefusal,
  ImportTarget,
} from '../backend';
import type { ExportList } from './csvExport';
import { toAppError } from './errors';

/** How each record type is named in the dialog and its notices. */
export const IMPORT_NOUN: Record<ImportEntity, { one: string; many: ExportList }> = {
  lead: { one: 'lead', many: 'leads' },
  account: { one: 'account', many: 'accounts' },
  contact: { one: 'contact', many: 'contacts' },
  deal: { one: 'deal', many: 'deals' },
};

/** `1 lead`, `3 leads`. */
export function countOf(entity: ImportEntity, n: number): string {
  const noun = IMPORT_NOUN[entity];
  return `${String(n)} ${n === 1 ? noun.one : noun.many}`;
}

/** Labels of the built-in fields an import can fill (as the backend names them). */
const FIELD_LABEL: Record<string, string> = {
  company: 'Company',
  person: 'Person',
  name: 'Name',
  first_name: 'First name',
  last_name: 'Last name',
  email: 'E-mail',
  phone: 'Phone',
  vat_id: 'VAT id',
  city: 'City',
  source: 'Source',
  owner: 'Owner',
  territory: 'Territory',
  account: 'Account (by name)',
  amount: 'Amount',
  currency: 'Currency',
  expected_close: 'Close date',
  stage: 'Stage',
  team: 'Team',
  lost_reason: 'Lost reason',
  tags: 'Tags',
};

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

/** Where a column can go, as the select lists it. */
export interface TargetOption {
  key: string;
  label: string;
}

/** The entity's built-in fields, then its custom fields, as the preview says they exist. */
export function targetOptions(preview: Pick<ImportPreview, 'fields' | 'custom'>): TargetOption[] {
  return [
    ...preview.fields.map((name) => ({ key: `field:${name}`, label: FIELD_LABEL[name] ?? name })),
    ...preview.custom.map((c) => ({ key: `custom:${c.key}`, label: c.label })),
  ];
}

export function targetLabel(target: ImportTarget | null, options: readonly TargetOption[]): string {
  if (target === null) {
    return 'Ignored';
  }
  const key = targetKey(target);
  return options.find((o) => o.key === key)?.label ?? (target.to === 'custom' ? `Custom: ${target.name}` : target.name);
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

export interface MappedPreview {
  /** The target of each shown column, in header order (ignored columns left out). */
  columns: { index: number; header: string; target: ImportTarget }[];
  rows: { line: number; cells: string[]; errors: ImportProblem[] }[];
}

/** The preview rows as the mapping imports them: one column per mapped target (ignored columns left out). */
export function mappedPreview(mapping: ColumnMapping, rows: readonly ImportPreviewRow[]): MappedPreview {
  const columns = mapping.columns.flatMap((target, index) =>
    target === null ? [] : [{ index, header: mapping.headers[index] ?? '', target }],
  );
  return {
    columns,
    rows: rows.map((r) => ({ line: r.line, cells: columns.map((c) => r.cells[c.index] ?? ''), errors: r.errors })),
  };
}

/** `Line 3, E-mail: not an e-mail address`. */
export function problemText(p: ImportProblem): string {
  return `Line ${String(p.line)}${p.column === null ? '' : `, ${p.column}`}: ${p.message}`;
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
