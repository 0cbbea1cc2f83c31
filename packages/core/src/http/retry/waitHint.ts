/**
 * How long the server asks us to wait, from its headers:
 * - `Retry-After`: seconds, or an HTTP date;
 * - `RateLimit-Reset` (IETF draft): seconds from now;
 * - `X-RateLimit-Reset`: epoch seconds (GitHub, most APIs), epoch milliseconds, or seconds from now
 *   when small (some APIs) — told apart by size;
 * - GitHub's primary limit: `x-ratelimit-remaining: 0` with `x-ratelimit-reset` (epoch seconds).
 * Returns milliseconds from `now`, or `undefined` when the server gave no hint.
 */
import { header, type ResponseHeaders } from '../types.ts';

/** Values above this are epoch seconds, not a delta (2001-09-09). */
const EPOCH_SECONDS = 1e9;
/** Values above this are epoch milliseconds. */
const EPOCH_MS = 1e12;

function numeric(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = numeric(value);
  if (seconds !== undefined) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function parseReset(value: string | undefined, now: number): number | undefined {
  const n = numeric(value);
  if (n === undefined) return undefined;
  if (n >= EPOCH_MS) return Math.max(0, n - now);
  if (n >= EPOCH_SECONDS) return Math.max(0, n * 1000 - now);
  return n * 1000;
}

export function waitHint(headers: ResponseHeaders, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = parseReset(header(headers, 'ratelimit-reset'), now);
  if (reset !== undefined) return reset;
  return parseReset(header(headers, 'x-ratelimit-reset'), now);
}

/** The headers say the quota is used up (`x-ratelimit-remaining: 0` / `ratelimit-remaining: 0`). */
export function quotaExhausted(headers: ResponseHeaders): boolean {
  return (
    header(headers, 'x-ratelimit-remaining')?.trim() === '0' ||
    header(headers, 'ratelimit-remaining')?.trim() === '0'
  );
}

/**
 * How long a response pauses every request of its source, ms, or `undefined` for none: a
 * `rateLimited` answer for its wait (`waitMs`: the server's, else the backoff); any other answer
 * that names a wait (`Retry-After`) or says the quota is used up with a reset, for that wait.
 */
export function pauseOf(
  rateLimited: boolean,
  headers: ResponseHeaders,
  waitMs: number | undefined,
): number | undefined {
  if (rateLimited) return waitMs;
  return quotaExhausted(headers) || header(headers, 'retry-after') !== undefined ? waitMs : undefined;
}
