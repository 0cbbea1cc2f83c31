/**
 * Sends one logical request: credentials, the source's rate limit, retries through p-retry with
 * exponential backoff and full jitter, server-given waits honoured, one auth refresh on a 401, and
 * the response table deciding what each answer means (a 2xx is data only when it says so: a
 * `notReady` 202 is retried like a 5xx). Bounded by `retry.maxAttempts` and
 * `retry.maxTotalWaitMs`; every retry goes to the observer and the log with its reason.
 */
import pRetry from 'p-retry';
import type { AuthProvider } from '../auth/types.ts';
import type { RetryPolicy, SourceDefinition } from '../definition/schema.ts';
import { AuthError, type ErrorWhere, HttpError, RateLimitedError, TransientError } from '../errors.ts';
import { type Limiter, PauseTooLong } from '../ratelimit/RateLimiter.ts';
import { fullJitter } from '../retry/backoff.ts';
import { classifyResponse, type ResponseOutcome } from '../retry/responseRules.ts';
import { sleep } from '../retry/sleep.ts';
import { parseRetryAfter, pauseOf, quotaExhausted, waitHint } from '../retry/waitHint.ts';
import type { ReadObserver } from '../stream/types.ts';
import type { Redactor } from './Redactor.ts';
import { NetworkFailure, type Timeouts, transmit } from './transport.ts';
import { type HttpRequest, type HttpResponse, header, type ReaderLogger, type RequestInfo } from './types.ts';

/** One failed attempt that may be retried. */
class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    readonly rateLimited: boolean,
    /** The server's wait, ms, if it gave one (a rate limit without one: the backoff its pause used). */
    readonly hintMs: number | undefined,
    readonly where: ErrorWhere,
  ) {
    super(reason);
  }
}

/** Fresh credentials obtained: try again at once, without spending an attempt. */
class RetryAfterRefresh extends Error {}

export interface HttpClientOptions {
  source: SourceDefinition;
  /** The API's origin (of the base URL in use): the only one that gets credentials. */
  origin: string;
  redactor: Redactor;
  limiter: Limiter;
  logger: ReaderLogger;
  observer?: ReadObserver;
  /** Set once the auth provider exists (it needs this client for token requests). */
  auth?: AuthProvider;
}

export class HttpClient {
  readonly #o: HttpClientOptions;
  readonly #retry: RetryPolicy;
  readonly #timeouts: Timeouts;

  constructor(options: HttpClientOptions) {
    this.#o = options;
    this.#retry = options.source.retry;
    this.#timeouts = options.source.timeouts;
  }

  set auth(auth: AuthProvider) {
    this.#o.auth = auth;
  }

  /** The URL as it may be shown: secrets and credential params masked. */
  display(url: URL | string): string {
    return this.#o.redactor.url(url, this.#o.auth?.queryParams);
  }

  async send(
    request: HttpRequest,
    info: RequestInfo & { signal?: AbortSignal; auth?: boolean } = {},
  ): Promise<HttpResponse> {
    const { redactor, limiter, logger, observer, source } = this.#o;
    const useAuth = info.auth !== false && this.#o.auth !== undefined;
    const stream = info.stream ?? '';
    const page = info.page ?? 0;
    let refreshed = false;
    let waitedMs = 0;
    let attempts = 0;
    /** Retryable failures so far; `maxAttempts` of them end the request. */
    let failures = 0;

    const attempt = async (): Promise<HttpResponse> => {
      attempts++;
      const req: HttpRequest = {
        method: request.method,
        url: new URL(request.url),
        headers: { ...request.headers },
        body: request.body,
      };
      // Credentials go only to the API's own origin, never to a host a next link points at.
      if (useAuth && req.url.origin === this.#o.origin) await this.#o.auth!.apply(req);
      const url = this.display(req.url);
      const where: ErrorWhere = { source: source.name, url };
      if (info.stream) where.stream = info.stream;
      if (info.page !== undefined) where.page = info.page;
      observer?.onRequest?.({ stream, url, page, attempt: attempts });

      const release = await limiter
        .acquire(info.signal, { maxPauseMs: this.#retry.maxTotalWaitMs - waitedMs })
        .catch((error: unknown) => {
          if (!(error instanceof PauseTooLong)) throw error;
          throw new RateLimitedError(`rate limited: ${error.message} (retry.maxTotalWaitMs)`, {
            attempts: attempts - 1,
            reason: 'source paused',
            where,
          });
        });
      let raw: Awaited<ReturnType<typeof transmit>>;
      let outcome: ResponseOutcome;
      let hintMs: number | undefined;
      try {
        raw = await transmit(req, this.#timeouts, info.signal);
        const rules = info.rules?.length ? [...info.rules, ...source.responseRules] : source.responseRules;
        outcome = classifyResponse(rules, raw.status, raw.headers, raw.body);
        // A pause a response asks for holds every request of the source from the moment it is read:
        // set before the slot is given back, so that no queued request starts in between. A rate
        // limit without a hint waits (and pauses) for the backoff, drawn once here.
        const rateLimited = outcome === 'rateLimited';
        // A reset header says when the quota renews, not when to ask again: it is a wait only for a
        // rate limit or a quota used up. GitHub sends `x-ratelimit-reset` (up to an hour away) on
        // every answer, a 202 or a 5xx with quota left included; those wait for `Retry-After` or back off.
        hintMs =
          rateLimited || quotaExhausted(raw.headers)
            ? waitHint(raw.headers)
            : parseRetryAfter(header(raw.headers, 'retry-after'), Date.now());
        if (rateLimited) hintMs ??= fullJitter(failures + 1, this.#retry.baseDelayMs, this.#retry.maxDelayMs);
        const pauseMs = pauseOf(rateLimited, raw.headers, hintMs);
        if (pauseMs !== undefined) limiter.pauseUntil(Date.now() + pauseMs);
      } catch (error) {
        if (error instanceof NetworkFailure) {
          failures++;
          throw new RetryableFailure(error.reason, false, undefined, where);
        }
        throw error;
      } finally {
        release();
      }
      const response: HttpResponse = { status: raw.status, headers: raw.headers, body: raw.body, url };
      switch (outcome) {
        case 'ok':
          return response;
        case 'ignore':
        case 'empty':
          response.noRecords = outcome;
          return response;
        case 'retry':
        case 'notReady':
        case 'rateLimited':
          failures++;
          throw new RetryableFailure(
            outcome === 'notReady'
              ? `HTTP ${raw.status} (not ready: the API is still preparing the answer)`
              : `HTTP ${raw.status}`,
            outcome === 'rateLimited',
            hintMs,
            where,
          );
        case 'refreshAuth':
          if (useAuth && !refreshed && (await this.#o.auth!.refresh())) {
            refreshed = true;
            throw new RetryAfterRefresh();
          }
          throw new AuthError(
            `HTTP ${raw.status}: credentials refused${refreshed ? ' again after renewing them' : ''}: ${redactor.snippet(raw.body)}`,
            { status: raw.status, url, snippet: redactor.snippet(raw.body), where },
          );
        default: {
          const snippet = redactor.snippet(raw.body);
          throw new HttpError(`HTTP ${raw.status} (not retried): ${snippet}`, {
            status: raw.status,
            url,
            snippet,
            where,
          });
        }
      }
    };

    try {
      return await pRetry(attempt, {
        // One spare retry for the auth refresh; retryable failures are counted against maxAttempts below.
        retries: this.#retry.maxAttempts,
        minTimeout: 0, // the waits are ours: full jitter, or what the server asked
        signal: info.signal,
        shouldConsumeRetry: ({ error }) => !(error instanceof RetryAfterRefresh),
        shouldRetry: ({ error }) =>
          error instanceof RetryAfterRefresh ||
          (error instanceof RetryableFailure && failures < this.#retry.maxAttempts),
        onFailedAttempt: async ({ error }) => {
          if (!(error instanceof RetryableFailure) || failures >= this.#retry.maxAttempts) return;
          const backoff = fullJitter(failures, this.#retry.baseDelayMs, this.#retry.maxDelayMs);
          const delayMs = Math.max(0, Math.ceil(error.hintMs ?? backoff));
          if (waitedMs + delayMs > this.#retry.maxTotalWaitMs)
            throw exhausted(error, attempts, waitedMs, delayMs);
          waitedMs += delayMs;
          const retry = {
            stream,
            url: error.where.url ?? '',
            page,
            attempt: attempts,
            reason: error.reason,
            delayMs,
          };
          observer?.onRetry?.({ ...retry, rateLimited: error.rateLimited });
          logger.warn(`retrying after ${error.reason} in ${delayMs} ms`, {
            source: source.name,
            ...retry,
            rateLimited: error.rateLimited,
          });
          if (delayMs > 0) await sleep(delayMs, info.signal);
        },
      });
    } catch (error) {
      if (error instanceof RetryableFailure) throw exhausted(error, attempts, waitedMs);
      throw error;
    }
  }
}

function exhausted(failure: RetryableFailure, attempts: number, waitedMs: number, nextDelayMs?: number) {
  const why =
    nextDelayMs === undefined
      ? `gave up after ${attempts} attempts`
      : `gave up after ${attempts} attempts: the next wait (${nextDelayMs} ms) would pass the total wait limit (waited ${waitedMs} ms)`;
  const options = { attempts, reason: failure.reason, where: failure.where };
  return failure.rateLimited
    ? new RateLimitedError(`rate limited (${failure.reason}); ${why}`, options)
    : new TransientError(`${failure.reason}; ${why}`, options);
}
