/**
 * Which failed attempts of a request may be sent again (definition/README.md, "Request styles",
 * "Retries"). RFC 9110 §9.2.2: a request may be repeated automatically when its method is
 * idempotent, because then sending it twice has the effect of sending it once. A GET is; a POST is
 * not, and a PUT an API uses to create a report or start a job is not in effect either. So a POST or
 * PUT is sent again after an answer that may mean it was done (a 5xx, a `retry` or `notReady` rule)
 * or after losing the connection once it may have reached the API (a timeout, a reset, a cut-short
 * answer) only when the definition says `retrySafe: true` (a search changes nothing; a report
 * creation the API deduplicates). Without it, only what proves nothing was done is retried: a 429
 * or a `rateLimited` rule (the API refused it unread), and a connection that never opened.
 */
import { HttpError } from '../errors/HttpError.ts';
import type { ErrorWhere } from '../errors/TributaryError.ts';

/** `NetworkFailure` reasons that mean no connection was opened, so no byte of the request was sent. */
const NOTHING_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'connect timeout',
]);

export interface FailedAttempt {
  /** `HTTP 503`, `ECONNRESET`, `timeout after 60000 ms`, … */
  reason: string;
  /** The answer's status; absent when there was no answer (a network failure). */
  status?: number;
  snippet?: string;
  where: ErrorWhere;
}

/**
 * The error ending a request whose failed attempt may not be sent again, or `undefined` when it may
 * (`retrySafe` not false, or nothing was sent). A 429 / `rateLimited` answer is not asked about: it is
 * always retried. Fatal (an `HttpError`, `status` 0 when there was no answer): a rerun of the
 * invocation would send it again just the same.
 */
export function notRetried(
  retrySafe: boolean | undefined,
  method: string,
  failure: FailedAttempt,
): HttpError | undefined {
  if (retrySafe !== false) return undefined;
  if (failure.status === undefined && NOTHING_SENT.has(failure.reason)) return undefined;
  const snippet = failure.snippet ?? '';
  return new HttpError(
    `${failure.reason} on a ${method} (not retried: the API may have done it already; ` +
      `if sending it twice is harmless, e.g. a search, set retrySafe: true on the stream's request)` +
      (snippet ? `: ${snippet}` : ''),
    { status: failure.status ?? 0, url: failure.where.url ?? '', snippet, where: failure.where },
  );
}
