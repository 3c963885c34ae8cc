// Pure logic of the Leads screen: the capture form's input, which steps a status offers, and the
// convert dialog's options (the CSV import and export are in csvImport.ts and csvExport.ts).
// The backend decides every rule (what a valid e-mail is, which step is allowed, duplicates).
import type { ConvertLeadOptions, DealInput, DuplicateMatch, LeadInput, LeadStatus, LeadStep, MatchReason } from '../backend';

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
