import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../backend';
import { isSignedIn, progressFraction, syncState } from './sync';

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
  conflicts: [],
  role: null,
  progress: null,
};

describe('syncState', () => {
  it('is "local" in a local workspace whatever else is set', () => {
    expect(syncState({ ...base, mode: 'local', syncing: true, online: false })).toBe('local');
  });

  it('prefers syncing, then offline, then error, then online', () => {
    expect(syncState({ ...base, syncing: true, lastError: 'x' })).toBe('syncing');
    expect(syncState({ ...base, online: false, lastError: 'x' })).toBe('offline');
    expect(syncState({ ...base, lastError: 'x' })).toBe('error');
    expect(syncState(base)).toBe('online');
  });
});

describe('isSignedIn', () => {
  it('needs server mode and a user', () => {
    expect(isSignedIn(base)).toBe(true);
    expect(isSignedIn({ ...base, user: null })).toBe(false);
    expect(isSignedIn({ ...base, mode: 'local' })).toBe(false);
  });
});

describe('progressFraction', () => {
  it('is indeterminate without a total', () => {
    expect(progressFraction(null)).toBeNull();
    expect(progressFraction({ done: 3, total: null })).toBeNull();
    expect(progressFraction({ done: 0, total: 0 })).toBeNull();
  });

  it('is clamped to 0..1', () => {
    expect(progressFraction({ done: 5, total: 10 })).toBe(0.5);
    expect(progressFraction({ done: 12, total: 10 })).toBe(1);
  });
});
