export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

/**
 * The fields whose value differs between `before` and `after` (a missing side or key counts as
 * `null`), sorted by name. A create lists every set field, a delete every field it had.
 */
export function diffFields(
  before: Readonly<Record<string, unknown>> | null,
  after: Readonly<Record<string, unknown>> | null,
): FieldChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: FieldChange[] = [];
  for (const field of [...keys].sort()) {
    const b = before?.[field] ?? null;
    const a = after?.[field] ?? null;
    if (!same(b, a)) {
      changes.push({ field, before: b, after: a });
    }
  }
  return changes;
}

/** One audit value as text: `—` for none. */
export function auditValue(value: unknown): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value);
}

/** The first 8 characters of an id, enough to tell records apart in a list. */
export function shortId(id: string): string {
  return id.length <= 8 ? id : id.slice(0, 8);
}
