import type { SyncStatus } from '../backend';

export type ErrorBannerKind = 'upgrade_required' | 'session_expired' | 'revoked';

export interface ErrorBanner {
  kind: ErrorBannerKind;
  message: string;
}

export const UPGRADE_MESSAGE = "This version of Tandem is too old for your company's server — please update.";
export const SESSION_MESSAGE = 'Your session expired — sign in again; your unsent changes are kept.';
export const REVOKED_FALLBACK =
  "An administrator revoked this device or user: its copy of the company's data was erased. You are back in the local workspace.";

/** Which guidance an error code calls for; null for codes that need none. */
export function bannerForCode(code: string | null | undefined, message?: string | null): ErrorBanner | null {
  switch (code) {
    case 'upgrade_required':
      return { kind: 'upgrade_required', message: UPGRADE_MESSAGE };
    case 'session_expired':
      return { kind: 'session_expired', message: SESSION_MESSAGE };
    case 'revoked':
      return { kind: 'revoked', message: message !== undefined && message !== null && message !== '' ? message : REVOKED_FALLBACK };
    default:
      return null;
  }
}

/** The banner kind of a status error code, when it is one. */
function knownKind(code: string | null | undefined): ErrorBannerKind | null {
  return code === 'upgrade_required' || code === 'session_expired' || code === 'revoked' ? code : null;
}

/** The error code a `lastError` text stands for (the backend reports it as text). */
export function codeOfLastError(lastError: string | null): ErrorBannerKind | null {
  if (lastError === null) {
    return null;
  }
  const text = lastError.toLowerCase();
  if (text.includes('upgrade_required') || text.includes('too old') || text.includes('please update')) {
    return 'upgrade_required';
  }
  if (text.includes('session_expired') || text.includes('session expired')) {
    return 'session_expired';
  }
  if (text.includes('revoked')) {
    return 'revoked';
  }
  return null;
}

/**
 * The persistent banner the status calls for. `revoked` is shown only once the app is back in the
 * local workspace (that is when the company data has disappeared); its text is `lastError` itself.
 * `errorCode` is the code of the last failed command, if any (it wins over the status text).
 */
export function errorBanner(status: SyncStatus | null, errorCode?: string | null): ErrorBanner | null {
  const fromCode = bannerForCode(errorCode, status?.lastError);
  if (fromCode !== null && (fromCode.kind !== 'revoked' || status === null || status.mode === 'local')) {
    return fromCode;
  }
  if (status === null) {
    return null;
  }
  const kind = knownKind(status.lastErrorCode) ?? codeOfLastError(status.lastError);
  if (kind === null || (kind === 'revoked' && status.mode !== 'local')) {
    return null;
  }
  return bannerForCode(kind, status.lastError);
}
