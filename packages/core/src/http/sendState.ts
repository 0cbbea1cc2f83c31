/** What one logical request of `HttpClient` keeps across its attempts, and how it ends when they run out. */
import { type ErrorWhere, RateLimitedError, TransientError } from '../errors.ts';
import type { HttpRequest, HttpResponse, RequestInfo } from './types.ts';

/** One failed attempt that may be retried. */
export interface RetryableFailure {
  reason: string;
  rateLimited: boolean;
  /** The server's wait, ms, if it gave one (a rate limit without one: the backoff its pause used). */
  hintMs: number | undefined;
  where: ErrorWhere;
  /** The answer's status and the start of its body; absent after a network failure. */
  status?: number;
  snippet?: string;
}

/**
 * What one attempt came to: an answer to hand back, a failure to retry after a wait, or fresh
 * credentials (try again at once, without spending an attempt).
 */
export type AttemptResult =
  | { kind: 'response'; response: HttpResponse }
  | { kind: 'retry'; failure: RetryableFailure }
  | { kind: 'refreshed' };

export type SendInfo = RequestInfo & { signal?: AbortSignal; auth?: boolean };

/** One logical request's progress across its attempts. */
export interface SendState {
  readonly request: HttpRequest;
  readonly info: SendInfo;
  readonly useAuth: boolean;
  /** Attempts sent, refreshes included. */
  attempts: number;
  /** Retryable failures so far; `maxAttempts` of them end the request. */
  failures: number;
  /** Total wait spent between attempts, ms; bounded by `retry.maxTotalWaitMs`. */
  waitedMs: number;
  /** Credentials renewed once already (after a 401). */
  refreshed: boolean;
  streamed: boolean; // stream(): a 2xx body handed back as a stream, not collected
}

/** The error a request ends in when its retries ran out: rate limited, or transient. */
export function exhausted(
  failure: RetryableFailure,
  attempts: number,
  waitedMs: number,
  nextDelayMs?: number,
) {
  const why =
    nextDelayMs === undefined
      ? `gave up after ${attempts} attempts`
      : `gave up after ${attempts} attempts: the next wait (${nextDelayMs} ms) would pass the total wait limit (waited ${waitedMs} ms)`;
  const options = { attempts, reason: failure.reason, where: failure.where };
  return failure.rateLimited
    ? new RateLimitedError(`rate limited (${failure.reason}); ${why}`, options)
    : new TransientError(`${failure.reason}; ${why}`, options);
}
