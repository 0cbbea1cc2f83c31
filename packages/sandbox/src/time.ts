/** Time helpers: every API writes its dates its own way. */

/** `2026-11-23T06:00:00Z` (GitHub: ISO 8601, second precision). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `2026-11-23T06:00:00.123Z` (Socrata system fields). */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2026-11-23T06:00:00.000` (Socrata floating timestamps: no zone). */
export function floating(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

/** Unix seconds (Stripe). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Parses an ISO date, with or without zone (a missing zone means UTC); `undefined` when malformed. */
export function parseDate(text: string): number | undefined {
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(text) || !text.includes('T') ? text : `${text}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? undefined : ms;
}

const DAY = 86_400_000;

/**
 * Where generated records sit in time: the initial history spreads over `historyDays` before the
 * origin, ending ten minutes before it; `advance()` writes in the two seconds before its own "now",
 * so a watermark from an earlier run is always older than what changed since.
 */
export class Timeline {
  constructor(
    readonly origin: number,
    readonly historyDays: number,
  ) {}

  /** The time of the i-th of `count` initial records, oldest first. */
  initial(i: number, count: number): number {
    const start = this.origin - this.historyDays * DAY;
    const span = this.historyDays * DAY - 10 * 60_000;
    return Math.floor(start + (span * (i + 0.5)) / Math.max(count, 1));
  }

  /** The time of the i-th of `count` changes made by an advance at `now`, oldest first. */
  static change(now: number, i: number, count: number): number {
    return now - 2000 + Math.floor((1000 * i) / Math.max(count, 1));
  }
}
