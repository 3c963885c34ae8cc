const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "just now", "5 min ago", "3 h ago", "2 d ago", then the date. Times slightly in the future
 * (clocks of two machines) read as "just now".
 */
export function relativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) {
    return '—';
  }
  const ago = now - at;
  if (ago < 45_000) {
    return 'just now';
  }
  if (ago < HOUR) {
    return `${Math.max(1, Math.round(ago / MINUTE))} min ago`;
  }
  if (ago < DAY) {
    return `${Math.floor(ago / HOUR)} h ago`;
  }
  if (ago < 7 * DAY) {
    return `${Math.floor(ago / DAY)} d ago`;
  }
  return new Date(at).toLocaleDateString();
}

export function absoluteTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : new Date(at).toLocaleString();
}
