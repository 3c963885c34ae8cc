// The only door between the UI and the Rust side of Tandem.
// Every command and event of the backend contract is typed here; components receive a `Backend`
// (see BackendContext) and never call `invoke` themselves. The shapes mirror the Rust DTOs (camelCase).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { toAppError } from './lib/errors';

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
}

export interface AppInfo {
  version: string;
  dataDir: string;
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
  /** `tandem://sync-status`: the sync state changed. */
  onSyncStatus: (handler: (status: SyncStatus) => void) => Promise<Unsubscribe>;
  /** `tandem://data-changed`: data changed underneath (e.g. after a pull). */
  onDataChanged: (handler: () => void) => Promise<Unsubscribe>;
}

export const SYNC_STATUS_EVENT = 'tandem://sync-status';
export const DATA_CHANGED_EVENT = 'tandem://data-changed';

/** Calls a command; a rejection is always normalised to an `AppError`. */
async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error: unknown) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the contract rejects with AppError
    throw toAppError(error);
  }
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
  onSyncStatus: (handler) =>
    listen<SyncStatus>(SYNC_STATUS_EVENT, (event) => {
      handler(event.payload);
    }),
  onDataChanged: (handler) =>
    listen(DATA_CHANGED_EVENT, () => {
      handler();
    }),
};
