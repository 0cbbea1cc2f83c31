/**
 * A strict server-side rate limit to put in front of a loopback route: at most `limit` requests in
 * any window of `windowMs` (sliding, every arrival counted — the refused ones too — at the time the
 * server noted it, `ApiRequest.at`); a request beyond it is answered `429` with `Retry-After` (whole
 * seconds until the window has room). `pauseAt` answers the n-th request with a `429` and
 * `Retry-After: pauseSeconds` whatever the window says: a pause in the middle of a run.
 *
 * What it records is what a test asserts: every arrival, how many the window refused, and the most
 * arrivals it saw in any window (`mostInWindow`), to show both that a client never went over and
 * that its rate did not collapse. Used by the core rate-limit tests and by the bench.
 */
import type { ApiReply, ApiRoute } from './loopbackApi.ts';

export interface StrictWindowOptions {
  /** Requests allowed in any window. */
  limit: number;
  /** @default 1000 */
  windowMs?: number;
  /** Answer the n-th request (1-based, all paths) with 429 + `Retry-After: pauseSeconds`. */
  pauseAt?: number;
  /** @default 1 */
  pauseSeconds?: number;
}

export interface StrictWindow {
  /** The inner route behind the limit. */
  route: ApiRoute;
  /** Arrival of every request, ms on the server's monotonic clock. */
  arrivals: number[];
  /** Requests the window refused (the forced pause not included). */
  refused: () => number;
  /** The most arrivals in any window of `windowMs` (sliding). */
  mostInWindow: () => number;
}

/** The most of these arrival times (ms) that fall in any window of `windowMs` (sliding). */
export function mostInWindow(arrivals: readonly number[], windowMs = 1000): number {
  const sorted = [...arrivals].sort((x, y) => x - y);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export function strictWindow(inner: ApiRoute, options: StrictWindowOptions): StrictWindow {
  const { limit, windowMs = 1000, pauseAt, pauseSeconds = 1 } = options;
  const arrivals: number[] = [];
  let refused = 0;
  const tooMany = (retryAfterSeconds: number, message: string): ApiReply => ({
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { message },
  });
  /** Arrivals in (at - windowMs, at]. */
  const inWindowEndingAt = (at: number) => arrivals.filter((a) => a > at - windowMs && a <= at);
  const route: ApiRoute = (req, res, raw) => {
    arrivals.push(req.at);
    if (arrivals.length === pauseAt) return tooMany(pauseSeconds, 'paused by the test');
    const window = inWindowEndingAt(req.at);
    if (window.length > limit) {
      refused++;
      const roomInMs = Math.min(...window) + windowMs - req.at;
      return tooMany(
        Math.max(1, Math.ceil(roomInMs / 1000)),
        `more than ${limit} requests in ${windowMs} ms`,
      );
    }
    return inner(req, res, raw);
  };
  return {
    route,
    arrivals,
    refused: () => refused,
    mostInWindow: () => mostInWindow(arrivals, windowMs),
  };
}
