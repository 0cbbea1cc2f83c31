/**
 * Sends one logical request: credentials, the source's rate limit, retries in one explicit loop
 * with exponential backoff and full jitter, server-given waits honoured, one auth refresh on a 401, and
 * the response table deciding what each answer means (a 2xx is data only when it says so: a
 * `notReady` 202 is retried like a 5xx). Bounded by `retry.maxAttempts` and
 * `retry.maxTotalWaitMs`; every retry goes to the observer and the log with its reason. A POST or PUT
 * not marked `retrySafe` is sent again only after an answer that proves it was not done (request/retrySafety.ts).
 */
import type { AuthProvider } from '../auth/types.ts';
import type { RetryPolicy, SourceDefinition } from '../definition/schema.ts';
import { AuthError, type ErrorWhere, HttpError, RateLimitedError } from '../errors.ts';
import { type Limiter, PauseTooLong } from '../ratelimit/RateLimiter.ts';
import { notRetried } from '../request/retrySafety.ts';
import { fullJitter } from '../retry/backoff.ts';
import { classifyResponse, type ResponseOutcome } from '../retry/responseRules.ts';
import { sleep } from '../retry/sleep.ts';
import { parseRetryAfter, pauseOf, quotaExhausted, waitHint } from '../retry/waitHint.ts';
import type { ReadObserver } from '../stream/types.ts';
import type { Redactor } from './Redactor.ts';
import {
  type AttemptResult,
  exhausted,
  type RetryableFailure,
  type SendInfo,
  type SendState,
} from './sendState.ts';
import { type StreamedRawResponse, transmitStream } from './streamTransport.ts';
import { NetworkFailure, type Timeouts, transmit } from './transport.ts';
import { type HttpRequest, type HttpResponse, header, type ReaderLogger } from './types.ts';

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

  /**
   * The retry loop: attempt → classify the answer (the response table) → done, renew credentials
   * and go again at once, or wait (the server's hint, else full-jitter backoff) and go again.
   */
  async send(request: HttpRequest, info: SendInfo = {}, streamed = false): Promise<HttpResponse> {
    const { signal } = info;
    const useAuth = info.auth !== false && this.#o.auth !== undefined;
    const state: SendState = {
      request,
      info,
      useAuth,
      attempts: 0,
      failures: 0,
      waitedMs: 0,
      refreshed: false,
      streamed,
    };
    for (;;) {
      signal?.throwIfAborted();
      let result: AttemptResult;
      try {
        result = await this.#attempt(state);
      } catch (error) {
        // An abort wins over whatever the attempt failed with.
        signal?.throwIfAborted();
        throw error;
      }
      signal?.throwIfAborted();
      if (result.kind === 'response') return result.response;
      if (result.kind === 'retry') await this.#waitToRetry(result.failure, state);
    }
  }

  /** `send`, an `ok` answer's body as `stream` (read or destroy it; `body`: its first 64 KiB), others buffered. */
  stream(request: HttpRequest, info: SendInfo = {}): Promise<HttpResponse> {
    return this.send(request, info, true);
  }

  /** One attempt: credentials, a slot of the rate limit, the exchange, and what its answer means. */
  async #attempt(state: SendState): Promise<AttemptResult> {
    const { request, info } = state;
    state.attempts++;
    const req: HttpRequest = {
      method: request.method,
      url: new URL(request.url),
      headers: { ...request.headers },
      body: request.body,
    };
    // Credentials go only to the API's own origin, never to a host a next link points at.
    if (state.useAuth && req.url.origin === this.#o.origin) await this.#o.auth!.apply(req);
    const url = this.display(req.url);
    const where: ErrorWhere = { source: this.#o.source.name, url };
    if (info.stream) where.stream = info.stream;
    if (info.page !== undefined) where.page = info.page;
    this.#o.observer?.onRequest?.({
      stream: info.stream ?? '',
      url,
      page: info.page ?? 0,
      attempt: state.attempts,
    });

    const release = await this.#acquire(state, where);
    let raw: StreamedRawResponse;
    let answer: Classified;
    try {
      raw = await (state.streamed ? transmitStream : transmit)(req, this.#timeouts, info.signal);
      answer = this.#classify(raw, info, state.failures);
      if (answer.outcome !== 'ok') raw = { ...raw, stream: void raw.stream?.destroy() }; // no data: not read
    } catch (error) {
      if (!(error instanceof NetworkFailure)) throw error;
      state.failures++;
      return {
        kind: 'retry',
        failure: { reason: error.reason, rateLimited: false, hintMs: undefined, where },
      };
    } finally {
      release();
    }
    return this.#interpret(
      answer,
      { status: raw.status, headers: raw.headers, body: raw.body, url, stream: raw.stream },
      state,
      where,
    );
  }

  /** A slot of the source's rate limit, waiting no longer than the total wait left. */
  #acquire(state: SendState, where: ErrorWhere): Promise<() => void> {
    return this.#o.limiter
      .acquire(state.info.signal, { maxPauseMs: this.#retry.maxTotalWaitMs - state.waitedMs })
      .catch((error: unknown) => {
        if (!(error instanceof PauseTooLong)) throw error;
        throw new RateLimitedError(`rate limited: ${error.message} (retry.maxTotalWaitMs)`, {
          attempts: state.attempts - 1,
          reason: 'source paused',
          where,
        });
      });
  }

  /** The response table's verdict on an answer, and the wait it asks for (pausing the source if it must). */
  #classify(raw: Awaited<ReturnType<typeof transmit>>, info: SendInfo, failures: number): Classified {
    const { source, limiter } = this.#o;
    const rules = info.rules?.length ? [...info.rules, ...source.responseRules] : source.responseRules;
    const outcome = classifyResponse(rules, raw.status, raw.headers, raw.body);
    // A pause a response asks for holds every request of the source from the moment it is read:
    // set before the slot is given back, so that no queued request starts in between. A rate
    // limit without a hint waits (and pauses) for the backoff, drawn once here.
    const rateLimited = outcome === 'rateLimited';
    // A reset header says when the quota renews, not when to ask again: it is a wait only for a
    // rate limit or a quota used up. GitHub sends `x-ratelimit-reset` (up to an hour away) on
    // every answer, a 202 or a 5xx with quota left included; those wait for `Retry-After` or back off.
    let hintMs =
      rateLimited || quotaExhausted(raw.headers)
        ? waitHint(raw.headers)
        : parseRetryAfter(header(raw.headers, 'retry-after'), Date.now());
    if (rateLimited) hintMs ??= fullJitter(failures + 1, this.#retry.baseDelayMs, this.#retry.maxDelayMs);
    const pauseMs = pauseOf(rateLimited, raw.headers, hintMs);
    if (pauseMs !== undefined) limiter.pauseUntil(Date.now() + pauseMs);
    return { outcome, hintMs };
  }

  /** What an answer comes to: data (or a known "no records"), a retry, a renewal, or a typed error. */
  async #interpret(
    { outcome, hintMs }: Classified,
    response: HttpResponse,
    state: SendState,
    where: ErrorWhere,
  ): Promise<AttemptResult> {
    const { status, body, url } = response;
    const { redactor } = this.#o;
    switch (outcome) {
      case 'ok':
        return { kind: 'response', response };
      case 'ignore':
      case 'empty':
        response.noRecords = outcome;
        return { kind: 'response', response };
      case 'retry':
      case 'notReady':
      case 'rateLimited': {
        state.failures++;
        const reason =
          outcome === 'notReady'
            ? `HTTP ${status} (not ready: the API is still preparing the answer)`
            : `HTTP ${status}`;
        const snippet = redactor.snippet(body);
        const rateLimited = outcome === 'rateLimited';
        return { kind: 'retry', failure: { reason, rateLimited, hintMs, where, status, snippet } };
      }
      case 'refreshAuth':
        if (state.useAuth && !state.refreshed && (await this.#o.auth!.refresh())) {
          state.refreshed = true;
          return { kind: 'refreshed' };
        }
        throw new AuthError(
          `HTTP ${status}: credentials refused${state.refreshed ? ' again after renewing them' : ''}: ${redactor.snippet(body)}`,
          { status, url, snippet: redactor.snippet(body), where },
        );
      default: {
        const snippet = redactor.snippet(body);
        throw new HttpError(`HTTP ${status} (not retried): ${snippet}`, { status, url, snippet, where });
      }
    }
  }

  /**
   * After a retryable failure: gives up at `maxAttempts` failures or when the wait would pass
   * `maxTotalWaitMs`; else tells the observer and the log, and waits the server's hint or the backoff.
   */
  async #waitToRetry(failure: RetryableFailure, state: SendState): Promise<void> {
    const { info } = state;
    const { baseDelayMs, maxDelayMs, maxAttempts, maxTotalWaitMs } = this.#retry;
    const unsafe = !failure.rateLimited && notRetried(info.retrySafe, state.request.method, failure);
    if (unsafe) throw unsafe;
    if (state.failures >= maxAttempts) throw exhausted(failure, state.attempts, state.waitedMs);
    const backoff = fullJitter(state.failures, baseDelayMs, maxDelayMs);
    const delayMs = Math.max(0, Math.ceil(failure.hintMs ?? backoff));
    if (state.waitedMs + delayMs > maxTotalWaitMs)
      throw exhausted(failure, state.attempts, state.waitedMs, delayMs);
    state.waitedMs += delayMs;
    const retry = {
      stream: info.stream ?? '',
      url: failure.where.url ?? '',
      page: info.page ?? 0,
      attempt: state.attempts,
      reason: failure.reason,
      delayMs,
    };
    this.#o.observer?.onRetry?.({ ...retry, rateLimited: failure.rateLimited });
    this.#o.logger.warn(`retrying after ${failure.reason} in ${delayMs} ms`, {
      source: this.#o.source.name,
      ...retry,
      rateLimited: failure.rateLimited,
    });
    if (delayMs > 0) await sleep(delayMs, info.signal);
  }
}

/** The response table's verdict on one answer, with the wait the server asked for. */
interface Classified {
  outcome: ResponseOutcome;
  hintMs: number | undefined;
}
