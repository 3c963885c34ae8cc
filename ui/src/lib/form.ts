import type { AccountInput, AccountRow, Contact, ContactInput } from '../backend';

export const ACCOUNT_FIELDS = ['name', 'vatId', 'email', 'phone', 'city', 'territory'] as const;
export type AccountField = (typeof ACCOUNT_FIELDS)[number];
export type AccountFormValues = Record<AccountField, string>;

export const CONTACT_FIELDS = ['name', 'email', 'phone'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export type ContactFormValues = Record<ContactField, string>;

export function accountFormValues(account: AccountRow | null): AccountFormValues {
  return {
    name: account?.name ?? '',
    vatId: account?.vatId ?? '',
    email: account?.email ?? '',
    phone: account?.phone ?? '',
    city: account?.city ?? '',
    territory: account?.territory ?? '',
  };
}

export function contactFormValues(contact: Contact | null): ContactFormValues {
  return {
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
  };
}

/**
 * The minimal patch from `original` to `current`: only the fields the user changed, with `''`
 * for a cleared field. Edits merge field by field across devices, so an unchanged field must
 * never be sent (it would overwrite someone else's edit of that field).
 */
export function diffPatch<K extends string>(
  fields: readonly K[],
  original: Record<K, string>,
  current: Record<K, string>,
): Partial<Record<K, string>> {
  const patch: Partial<Record<K, string>> = {};
  for (const field of fields) {
    if (current[field] !== original[field]) {
      patch[field] = current[field];
    }
  }
  return patch;
}

export function isEmptyPatch(patch: object): boolean {
  return Object.keys(patch).length === 0;
}

export function accountPatch(original: AccountFormValues, current: AccountFormValues): AccountInput {
  return diffPatch(ACCOUNT_FIELDS, original, current);
}

export function contactPatch(original: ContactFormValues, current: ContactFormValues): ContactInput {
  return diffPatch(CONTACT_FIELDS, original, current);
}

/** On create every field is sent; a blank string means "no value" to the backend. */
export function accountCreateInput(values: AccountFormValues): AccountInput {
  return { ...values };
}

export function contactCreateInput(values: ContactFormValues): ContactInput {
  return { ...values };
}

/** Element id suffix for a field: `vatId` → `vat-id` (ids like `#account-vat-id`). */
export function fieldSlug(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
