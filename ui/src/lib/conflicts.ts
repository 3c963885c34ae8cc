import type { Conflict } from '../backend';

/** Human labels of the core fields a conflict (or an audit entry) can name. */
export const FIELD_LABEL: Readonly<Record<string, string>> = {
  name: 'Name',
  vat_id: 'VAT id',
  vatId: 'VAT id',
  email: 'E-mail',
  phone: 'Phone',
  city: 'City',
  territory: 'Territory',
};

/** The label of a field; unknown fields read as themselves with underscores as spaces. */
export function fieldLabel(field: string): string {
  const label = FIELD_LABEL[field];
  if (label !== undefined) {
    return label;
  }
  const words = field.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Conflicts nobody has resolved yet, newest first. */
export function unresolvedConflicts(conflicts: readonly Conflict[] | null | undefined): Conflict[] {
  return (conflicts ?? []).filter((c) => c.resolution === null).sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

export function conflictCount(conflicts: readonly Conflict[] | null | undefined): number {
  return unresolvedConflicts(conflicts).length;
}

/** Unresolved conflicts of one account or of any of its contacts. */
export function conflictsOfAccount(conflicts: readonly Conflict[] | null | undefined, accountId: string): Conflict[] {
  return unresolvedConflicts(conflicts).filter((c) => c.accountId === accountId || c.recordId === accountId);
}

/** A value as shown: `—` for none. */
export function showValue(value: string | null): string {
  return value === null || value === '' ? '—' : value;
}
