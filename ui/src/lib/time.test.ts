import { describe, expect, it } from 'vitest';
import { relativeTime } from './time';

const now = Date.parse('2026-11-23T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('relativeTime', () => {
  it('reads the last few seconds as "just now"', () => {
    expect(relativeTime(ago(0), now)).toBe('just now');
    expect(relativeTime(ago(44_000), now)).toBe('just now');
  });

  it('treats a time slightly ahead of our clock (another machine) as "just now"', () => {
    expect(relativeTime(ago(-5_000), now)).toBe('just now');
  });

  it('counts minutes, never "0 min ago"', () => {
    expect(relativeTime(ago(50_000), now)).toBe('1 min ago');
    expect(relativeTime(ago(2 * 60_000), now)).toBe('2 min ago');
    expect(relativeTime(ago(59 * 60_000), now)).toBe('59 min ago');
  });

  it('counts whole hours, then whole days', () => {
    expect(relativeTime(ago(60 * 60_000), now)).toBe('1 h ago');
    expect(relativeTime(ago(23.9 * 3_600_000), now)).toBe('23 h ago');
    expect(relativeTime(ago(24 * 3_600_000), now)).toBe('1 d ago');
    expect(relativeTime(ago(6 * 86_400_000), now)).toBe('6 d ago');
  });

  it('falls back to the date after a week', () => {
    const iso = ago(30 * 86_400_000);
    expect(relativeTime(iso, now)).toBe(new Date(iso).toLocaleDateString());
  });

  it('does not invent a time for a value it cannot read', () => {
    expect(relativeTime('not a date', now)).toBe('—');
  });
});
