import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../backend';
import { bannerForCode, codeOfLastError, errorBanner, SESSION_MESSAGE, UPGRADE_MESSAGE } from './banners';

const base: SyncStatus = {
  mode: 'server',
  serverUrl: 'https://crm.example.test',
  user: 'ada',
  online: true,
  syncing: false,
  pending: 0,
  lastSyncAt: null,
  lastError: null,
  rejected: [],
  progress: null,
  conflicts: [],
  role: null,
};

const REVOKED = "an administrator revoked this device or user: its copy of the company's data was erased";

describe('bannerForCode', () => {
  it('maps the three codes', () => {
    expect(bannerForCode('upgrade_required')).toEqual({ kind: 'upgrade_required', message: UPGRADE_MESSAGE });
    expect(bannerForCode('session_expired')).toEqual({ kind: 'session_expired', message: SESSION_MESSAGE });
    expect(bannerForCode('revoked', REVOKED)).toEqual({ kind: 'revoked', message: REVOKED });
    expect(bannerForCode('revoked')?.message).toMatch(/erased/);
  });

  it('ignores other codes', () => {
    expect(bannerForCode('validation')).toBeNull();
    expect(bannerForCode(null)).toBeNull();
  });
});

describe('codeOfLastError', () => {
  it('recognises the backend texts', () => {
    expect(codeOfLastError('this version of Tandem is too old for the server (protocol 1): please update the app')).toBe(
      'upgrade_required',
    );
    expect(codeOfLastError('your session expired after a long time offline: sign in again (your unsent changes are kept)')).toBe(
      'session_expired',
    );
    expect(codeOfLastError(REVOKED)).toBe('revoked');
    expect(codeOfLastError('cannot reach the server at x: refused')).toBeNull();
    expect(codeOfLastError(null)).toBeNull();
  });
});

describe('errorBanner', () => {
  it('shows nothing without an error', () => {
    expect(errorBanner(null)).toBeNull();
    expect(errorBanner(base)).toBeNull();
    expect(errorBanner({ ...base, lastError: 'cannot reach the server' })).toBeNull();
  });

  it('maps lastError to a banner', () => {
    expect(errorBanner({ ...base, lastError: 'too old for the server: please update the app' })?.kind).toBe('upgrade_required');
    expect(errorBanner({ ...base, lastError: 'your session expired: sign in again' })?.kind).toBe('session_expired');
  });

  it('shows revoked only in the local workspace, with the lastError text', () => {
    expect(errorBanner({ ...base, lastError: REVOKED })).toBeNull();
    expect(errorBanner({ ...base, mode: 'local', user: null, lastError: REVOKED })).toEqual({ kind: 'revoked', message: REVOKED });
  });

  it('lets a command error code win', () => {
    expect(errorBanner(base, 'session_expired')?.kind).toBe('session_expired');
    expect(errorBanner(null, 'upgrade_required')?.kind).toBe('upgrade_required');
    expect(errorBanner(base, 'forbidden')).toBeNull();
  });
});
