import { describe, expect, it } from 'vitest';
import type { LicenceList, UpdateStatus } from '../backend';
import { licenceCounts, licenceRows, noteParagraphs, updateSummary } from './update';

const base: UpdateStatus = {
  current: '0.1.0',
  source: 'https://tandem.example.com',
  checking: false,
  downloaded: null,
  total: null,
  ready: null,
  lastCheck: null,
  error: null,
};
const now = Date.parse('2026-11-23T12:00:00Z');

describe('updateSummary', () => {
  it('says an update is ready before anything else', () => {
    expect(updateSummary({ ...base, ready: { version: '0.2.0', notes: '', date: null }, error: 'old' }, now)).toBe(
      'Tandem 0.2.0 is ready to install.',
    );
  });
  it('shows download progress in whole percent', () => {
    expect(updateSummary({ ...base, downloaded: 512, total: 1024 }, now)).toBe('Downloading an update (50 %)…');
    expect(updateSummary({ ...base, downloaded: 512, total: null }, now)).toBe('Downloading an update…');
  });
  it('explains where updates come from when there is no server', () => {
    expect(updateSummary({ ...base, source: null }, now)).toMatch(/sign in/);
  });
  it('shows a refused signature as the error it is', () => {
    const error = 'update 0.2.0 was refused: its signature does not match this app’s release key';
    expect(updateSummary({ ...base, error, lastCheck: '2026-11-23T11:59:50Z' }, now)).toBe(error);
  });
  it('says up to date with when it last checked', () => {
    expect(updateSummary({ ...base, lastCheck: '2026-11-23T11:00:00Z' }, now)).toBe(
      'Tandem 0.1.0 is up to date (checked 1 h ago).',
    );
  });
});

describe('noteParagraphs', () => {
  it('splits on blank lines and drops empty ones', () => {
    expect(noteParagraphs('Faster sync.\r\n\r\n\r\nNew forecast view\nwith teams.\n')).toEqual([
      'Faster sync.',
      'New forecast view\nwith teams.',
    ]);
    expect(noteParagraphs('  ')).toEqual([]);
  });
});

describe('licenceRows', () => {
  const list: LicenceList = {
    rust: [
      { name: 'serde', version: '1.0.0', license: 'MIT OR Apache-2.0', source: '' },
      { name: 'ring', version: '0.17.0', license: 'Apache-2.0 AND ISC', source: '' },
    ],
    npm: [{ name: 'react', version: '19.0.0', license: 'MIT', source: '' }],
  };
  it('merges both ecosystems sorted by name', () => {
    expect(licenceRows(list, '').map((r) => `${r.ecosystem}:${r.name}`)).toEqual(['npm:react', 'Rust:ring', 'Rust:serde']);
  });
  it('filters by name or licence, ignoring case', () => {
    expect(licenceRows(list, 'isc').map((r) => r.name)).toEqual(['ring']);
    expect(licenceRows(list, 'SER').map((r) => r.name)).toEqual(['serde']);
  });
  it('counts licences, most common first', () => {
    const serdeJson = { name: 'serde_json', version: '1.0.0', license: 'MIT OR Apache-2.0', source: '' };
    const rows = licenceRows({ rust: [...list.rust, serdeJson], npm: list.npm }, '');
    expect(licenceCounts(rows)[0]).toEqual(['MIT OR Apache-2.0', 2]);
  });
});
