// Owners, tags and custom field values of accounts and contacts (their "profile"), likely
// duplicate accounts and merges: what the forms send and how the lists read. The backend checks
// every value (and names the field it refuses); the hints here only help while typing.
import type { AccountDuplicate, AppError, FieldDef, MatchReason, Profile, ProfileInput } from '../backend';
import type { BulkField } from './bulkEdit';
import { reasonText } from './leads';
import { formatMoney, parseDecimal } from './money';

export interface ProfileFormValues {
  owner: string;
  /** Comma-separated, as typed. */
  tags: string;
  /** Custom field key → text (blank = no value). */
  custom: Record<string, string>;
}

/** A tag list as one line of text (`key account, fair 2026`). */
export function tagsText(tags: readonly string[]): string {
  return tags.join(', ');
}

/** The tags of a comma-separated text: trimmed, blanks dropped, repeats (any case) once. */
export function splitTags(text: string): string[] {
  const seen = new Map<string, string>();
  for (const part of text.split(',')) {
    const tag = part.trim();
    if (tag !== '' && !seen.has(tag.toLowerCase())) {
      seen.set(tag.toLowerCase(), tag);
    }
  }
  return [...seen.values()];
}

/** The form as it opens: the record's profile, one entry per custom field of its type. */
export function profileFormValues(profile: Profile | undefined, defs: readonly FieldDef[]): ProfileFormValues {
  return {
    owner: profile?.owner ?? '',
    tags: tagsText(profile?.tags ?? []),
    custom: Object.fromEntries(defs.map((d) => [d.key, profile?.custom[d.key] ?? ''])),
  };
}

function sameTags(a: string, b: string): boolean {
  const norm = (s: string) =>
    splitTags(s)
      .map((t) => t.toLowerCase())
      .sort()
      .join('\n');
  return norm(a) === norm(b);
}

/**
 * What to send: only what the user changed, so an edit made elsewhere to another field is not
 * overwritten. A field emptied is sent blank (the backend clears it). The tag list is sent whole
 * when its set of tags changed (not when only spacing or order did).
 */
export function profileInput(original: ProfileFormValues, current: ProfileFormValues): ProfileInput {
  const input: ProfileInput = {};
  if (current.owner.trim() !== original.owner.trim()) {
    input.owner = current.owner.trim();
  }
  if (!sameTags(original.tags, current.tags)) {
    input.tags = tagsText(splitTags(current.tags));
  }
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(current.custom)) {
    if (value.trim() !== (original.custom[key] ?? '').trim()) {
      custom[key] = value.trim();
    }
  }
  if (Object.keys(custom).length > 0) {
    input.custom = custom;
  }
  return input;
}

export interface ProfileErrors {
  owner?: string;
  tags?: string;
  /** Custom field key → message. */
  custom: Record<string, string>;
  /** What names no field of the form; null when every problem has one. */
  general: string | null;
}

/**
 * Places the backend's refusal on the form. Custom values are refused under the field's label
 * (or its key, for a key the backend does not know); tag edits under `tags`.
 */
export function profileErrors(error: AppError, defs: readonly FieldDef[]): ProfileErrors {
  const out: ProfileErrors = { custom: {}, general: null };
  const leftover: string[] = [];
  const add = (prev: string | undefined, message: string) => (prev === undefined ? message : `${prev} ${message}`);
  for (const { field, message } of error.fields ?? []) {
    const def = defs.find((d) => d.label === field || d.key === field);
    if (field === 'owner') {
      out.owner = add(out.owner, message);
    } else if (field === 'tags' || field === 'addTags' || field === 'removeTags') {
      out.tags = add(out.tags, message);
    } else if (def !== undefined) {
      out.custom[def.key] = add(out.custom[def.key], message);
    } else {
      leftover.push(`${field}: ${message}`);
    }
  }
  const placed = out.owner !== undefined || out.tags !== undefined || Object.keys(out.custom).length > 0;
  out.general = !placed ? error.message : leftover.length > 0 ? leftover.join(' ') : null;
  return out;
}

/** A hint under a custom field while typing (the backend still decides); null when it looks fine. */
export function customHint(def: FieldDef, raw: string): string | null {
  const s = raw.trim();
  if (s === '') {
    return def.required === true ? 'Required.' : null;
  }
  switch (def.kind.type) {
    case 'text':
      return s.length > def.kind.max_len ? `At most ${String(def.kind.max_len)} characters.` : null;
    case 'number':
      return parseDecimal(s) === null ? 'Not a number.' : null;
    case 'money': {
      const amount = s.replace(new RegExp(`\\s*${def.kind.currency}$`, 'i'), '');
      return parseDecimal(amount) === null ? `Not an amount in ${def.kind.currency}.` : null;
    }
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(s) ? null : 'Write the date as YYYY-MM-DD.';
    case 'choice':
      return null;
  }
}

/** A custom value as the detail shows it (money with its currency, grouped). */
export function customDisplay(def: FieldDef, raw: string): string {
  if (def.kind.type === 'money' && parseDecimal(raw) !== null) {
    return formatMoney(raw, def.kind.currency);
  }
  return raw;
}

// ---------- bulk edit ----------

export type ProfileBulkKey = 'owner' | 'addTags' | 'removeTags';

/** What a bulk edit of accounts can change (blank: unchanged). */
export const PROFILE_BULK_FIELDS: readonly BulkField<ProfileBulkKey>[] = [
  { key: 'owner', label: 'Owner', kind: 'text' },
  { key: 'addTags', label: 'Add tags', kind: 'text' },
  { key: 'removeTags', label: 'Remove tags', kind: 'text' },
];

// ---------- duplicates and merges ----------

/** Another account that may be the same company as the one looked at, and why. */
export interface DuplicateOf {
  id: string;
  name: string;
  reasons: MatchReason[];
}

/** The likely duplicates of account `id`, from all the pairs (strongest first, as given). */
export function duplicatesOf(pairs: readonly AccountDuplicate[], id: string): DuplicateOf[] {
  return pairs.flatMap((p) => {
    if (p.first === id) {
      return [{ id: p.second, name: p.secondName, reasons: p.reasons }];
    }
    if (p.second === id) {
      return [{ id: p.first, name: p.firstName, reasons: p.reasons }];
    }
    return [];
  });
}

/** Why two accounts may be one, in words. */
export function reasonsText(reasons: readonly MatchReason[]): string {
  return reasons.map(reasonText).join(', ');
}

export interface MergeSide {
  id: string;
  name: string;
}

/** Which account survives a merge; the other is folded into it and deleted. */
export function mergeArgs(self: MergeSide, other: MergeSide, keepSelf: boolean): { keep: MergeSide; merged: MergeSide } {
  return keepSelf ? { keep: self, merged: other } : { keep: other, merged: self };
}

/** What a merge does, in two sentences (the backend enforces it). */
export function mergeSummary(keep: string, merged: string): string {
  return (
    `"${keep}" stays: its blank fields are filled from "${merged}", it gets the tags of both and the custom values it lacks, ` +
    `and "${merged}"'s contacts, deals, quotes, contracts and activities move to it. ` +
    `"${merged}" is then deleted. Accounts of different territories are not merged, and an account with orders, invoices or payments must be the one kept.`
  );
}
