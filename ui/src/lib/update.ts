import type { LicenceEntry, LicenceList, UpdateStatus } from '../backend';
import { relativeTime } from './time';

/** One line about updates for the About view. */
export function updateSummary(s: UpdateStatus, now: number): string {
  if (s.ready !== null) {
    return `Tandem ${s.ready.version} is ready to install.`;
  }
  if (s.downloaded !== null) {
    const pct = s.total !== null && s.total > 0 ? ` (${String(Math.min(100, Math.floor((s.downloaded * 100) / s.total)))} %)` : '';
    return `Downloading an update${pct}…`;
  }
  if (s.checking) {
    return 'Checking for updates…';
  }
  if (s.source === null) {
    return 'Updates come from your Tandem server: sign in to receive them.';
  }
  if (s.error !== null) {
    return s.error;
  }
  if (s.lastCheck !== null) {
    return `Tandem ${s.current} is up to date (checked ${relativeTime(s.lastCheck, now)}).`;
  }
  return 'Not checked yet.';
}

/** The release notes as paragraphs (blank lines separate them; single line breaks are kept). */
export function noteParagraphs(notes: string): string[] {
  return notes
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export interface LicenceRow extends LicenceEntry {
  ecosystem: 'Rust' | 'npm';
}

/** Both lists in one, filtered by name or licence (case-insensitive), sorted by name. */
export function licenceRows(list: LicenceList, query: string): LicenceRow[] {
  const q = query.trim().toLowerCase();
  const rows: LicenceRow[] = [
    ...list.rust.map((e) => ({ ...e, ecosystem: 'Rust' as const })),
    ...list.npm.map((e) => ({ ...e, ecosystem: 'npm' as const })),
  ];
  return rows
    .filter((r) => q === '' || r.name.toLowerCase().includes(q) || r.license.toLowerCase().includes(q))
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** How many packages carry each licence expression, most common first. */
export function licenceCounts(rows: LicenceRow[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    counts.set(r.license, (counts.get(r.license) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
