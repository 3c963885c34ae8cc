// CSV export of the CRM lists (accounts, contacts, deals, leads): every page read in turn, then
// written with headers the import maps back to the same fields. Values are the backend's text
// (amounts stay decimal strings).
import type { AccountRow, Backend, Contact, Deal, Lead } from '../backend';
import { readAllPages } from './paging';

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

/** The leads as a CSV file that imports again (its headers map to the same fields). */
export function leadsCsv(leads: readonly Lead[]): string {
  return toCsv(
    ['Company', 'Person', 'E-mail', 'Phone', 'VAT id', 'City', 'Source', 'Status', 'Owner', 'Territory', 'Created'],
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

export function accountsCsv(accounts: readonly AccountRow[]): string {
  return toCsv(
    ['Name', 'VAT id', 'E-mail', 'Phone', 'City', 'Territory'],
    accounts.map((a) => [a.name, a.vatId, a.email, a.phone, a.city, a.territory]),
  );
}

/** Contacts name their account by name (the import finds it that way), else by id. */
export function contactsCsv(contacts: readonly Contact[], accountNames: ReadonlyMap<string, string>): string {
  return toCsv(
    ['Name', 'E-mail', 'Phone', 'Account'],
    contacts.map((c) => [c.name, c.email, c.phone, accountNames.get(c.accountId) ?? c.accountId]),
  );
}

/** Deals of every pipeline; the pipeline column is for the reader (an import goes into one chosen pipeline). */
export function dealsCsv(
  deals: readonly Deal[],
  accountNames: ReadonlyMap<string, string>,
  pipelineNames: ReadonlyMap<string, string>,
): string {
  return toCsv(
    ['Name', 'Account', 'Amount', 'Currency', 'Close date', 'Stage', 'Owner', 'Team', 'Lost reason', 'Pipeline'],
    deals.map((d) => [
      d.name,
      accountNames.get(d.account) ?? d.account,
      d.amount.amount,
      d.amount.currency,
      d.expected_close,
      d.stage,
      d.owner,
      d.team,
      d.lost_reason,
      pipelineNames.get(d.pipeline) ?? d.pipeline,
    ]),
  );
}

/** The lists the app exports. */
export type ExportList = 'accounts' | 'contacts' | 'deals' | 'leads';

/** `deals-2026-05-01.csv`. */
export function exportFileName(list: ExportList, today: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${list}-${String(today.getFullYear())}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}.csv`;
}

const PAGE = 1000;

function allAccounts(backend: Backend): Promise<AccountRow[]> {
  return readAllPages((after) => backend.listAccounts({ search: '', sort: 'name', dir: 'asc', after, limit: PAGE }));
}

async function accountNames(backend: Backend): Promise<Map<string, string>> {
  return new Map((await allAccounts(backend)).map((a) => [a.id, a.name]));
}

/** Reads every page of `list` from the device and writes it as CSV; `count` is its number of rows. */
export async function exportCsv(backend: Backend, list: ExportList): Promise<{ text: string; count: number }> {
  switch (list) {
    case 'accounts': {
      const accounts = await allAccounts(backend);
      return { text: accountsCsv(accounts), count: accounts.length };
    }
    case 'contacts': {
      const contacts = await readAllPages((after) => backend.crmContacts({ after, limit: PAGE }));
      return { text: contactsCsv(contacts, await accountNames(backend)), count: contacts.length };
    }
    case 'deals': {
      const deals = await readAllPages((after) => backend.crmDeals({ account: null, after, limit: PAGE }));
      const pipelines = new Map((await backend.crmPipelines()).map((p) => [p.id, p.name]));
      return { text: dealsCsv(deals, await accountNames(backend), pipelines), count: deals.length };
    }
    case 'leads': {
      const leads = await readAllPages((after) => backend.crmLeads({ after, limit: PAGE }));
      return { text: leadsCsv(leads), count: leads.length };
    }
  }
}
