/**
 * One rate budget per credential, shared by every Lambda that uses it (`rateLimit.scope:
 * 'credential'`): request starts granted through the coordination store by GCRA (`gcra.ts`) on one
 * item per credential, `rate#<secret name>`, written by compare-and-set, so that grants are one
 * interval (`1000 / requestsPerSecond` plus `RATE_MARGIN`) apart across all processes. A pause a
 * response asks for is written to the same item: every process of the credential waits it out.
 *
 * In this process a `RateLimiter` still keeps `concurrency` and the local pause (which holds this
 * process's requests from the moment the response is read, before the store has it).
 *
 * Timing: a grant is a start time a little ahead (the lead); the process sleeps until it. The lead
 * is how long this process's grant writes take to land, measured (`leadEstimate.ts`: a smoothed
 * round trip plus four times its deviation, as TCP times its retransmissions, RFC 6298), between
 * `LEAD_MS` and `MAX_LEAD_MS`: a slow store costs a later start, not a lost grant (with a fixed
 * lead shorter than the write, every grant would arrive stale). A process
 * that wakes more than `LATE_TOLERANCE_MS` after its start gives the grant up and asks again: a
 * late start would shorten the gap to the next process's start. N + 1 consecutive grants span
 * `1000 × (1 + RATE_MARGIN)` ms, so starts within the tolerance keep any 1 s window at N with
 * 50 − 15 ms left for the network. Clocks: processes compare epoch ms (Lambda hosts keep NTP time).
 * A request granted before another process wrote a pause may still start during it (at most one
 * per slot in flight); every grant asked for after the write waits for the pause's end.
 *
 * When the store throttles or does not answer, this process falls back, for the rest of its life,
 * to a share of the rate: `requestsPerSecond / FALLBACK_PROCESSES`, with one warning in the log;
 * the limit holds as long as no more than `FALLBACK_PROCESSES` processes use the credential at once.
 */
import { type CoordinationStore, CoordinationUnavailable } from '../coordination/CoordinationStore.ts';
import type { ReaderLogger } from '../http/types.ts';
import { sleep } from '../retry/sleep.ts';
import { type BudgetState, EMPTY_BUDGET, fallbackRate, grant, pause } from './gcra.ts';
import { LeadEstimate } from './leadEstimate.ts';
import {
  type AcquireOptions,
  type Limiter,
  PauseTooLong,
  RATE_MARGIN,
  RateLimiter,
  type Release,
} from './RateLimiter.ts';

/**
 * The most processes of one credential assumed at once when the store is down (the state machine
 * runs a source in one Lambda at a time per run; a schedule and backfills overlapping stay under it).
 * @default 10
 */
export const FALLBACK_PROCESSES = 10;
/** The least a grant is placed ahead of its request, for its write to land first. @default 50 */
export const LEAD_MS = 50;
/** The most: a store slower than this to write is too slow to share a budget through. @default 1000 */
export const MAX_LEAD_MS = 1000;
/** A start later than its grant by more than this is given up and asked for again. @default 15 */
export const LATE_TOLERANCE_MS = 15;
/** How long an idle credential's item is kept after its last grant (TTL). @default 86400 */
export const BUDGET_TTL_SECONDS = 86_400;

export interface SharedRateLimiterOptions {
  store: CoordinationStore;
  /** The credential: `SECRET_NAME`, else the source's name. */
  credential: string;
  requestsPerSecond: number;
  concurrency: number;
  logger: ReaderLogger;
  /** @default FALLBACK_PROCESSES */
  fallbackProcesses?: number;
}

export class SharedRateLimiter implements Limiter {
  readonly #o: SharedRateLimiterOptions;
  readonly #key: string;
  readonly #interval: number;
  readonly #local: RateLimiter;
  #fallback: RateLimiter | undefined;
  #pausedUntil = 0;
  readonly #lead = new LeadEstimate(LEAD_MS, MAX_LEAD_MS);
  #givenUp = 0;

  constructor(options: SharedRateLimiterOptions) {
    this.#o = options;
    this.#key = `rate#${options.credential}`;
    this.#interval = (1000 / options.requestsPerSecond) * (1 + RATE_MARGIN);
    this.#local = new RateLimiter({ concurrency: options.concurrency });
  }

  /** Grants this process left unused because it woke too late for them (a gap in the budget). */
  get grantsGivenUp(): number {
    return this.#givenUp;
  }

  /** `true` once the store failed and this process keeps to its fallback share. */
  get fallingBack(): boolean {
    return this.#fallback !== undefined;
  }

  async acquire(signal?: AbortSignal, options: AcquireOptions = {}): Promise<Release> {
    const release = await this.#local.acquire(signal, options);
    try {
      if (!this.#fallback) {
        try {
          await this.#grant(signal, options.maxPauseMs ?? Number.POSITIVE_INFINITY);
          return release;
        } catch (error) {
          if (!(error instanceof CoordinationUnavailable)) throw error;
          this.#fallBack(error);
        }
      }
      // the fallback limiter only spaces starts; the slot is the local limiter's
      (await this.#fallback!.acquire(signal, options))();
      return release;
    } catch (error) {
      release();
      throw error;
    }
  }

  pauseUntil(epochMs: number): void {
    if (epochMs <= this.#pausedUntil) return;
    this.#pausedUntil = epochMs;
    this.#local.pauseUntil(epochMs);
    this.#fallback?.pauseUntil(epochMs);
    if (!this.#fallback)
      void this.#writePause(epochMs).catch((error: unknown) => {
        if (error instanceof CoordinationUnavailable) this.#fallBack(error);
      });
  }

  /** Waits for a start granted through the store. */
  async #grant(signal: AbortSignal | undefined, maxPauseMs: number): Promise<void> {
    const { store } = this.#o;
    for (;;) {
      signal?.throwIfAborted();
      const item = await store.get(this.#key);
      const state = stateOf(item?.values);
      const now = Date.now();
      const pauseMs = state.pausedUntil - now;
      if (pauseMs > maxPauseMs) throw new PauseTooLong(pauseMs, maxPauseMs);
      const { start, next } = grant(state, now, this.#interval, this.#lead.ms);
      const written = await this.#write(next, item?.version);
      this.#lead.sample(Date.now() - now);
      if (!written) {
        await sleep(Math.random() * 5, signal); // another process came first: read again
        continue;
      }
      const wait = start - Date.now();
      if (wait > 0) await sleep(wait, signal);
      if (Date.now() - start <= LATE_TOLERANCE_MS) return;
      // woke too late: the grant is left unused (a gap, never a shorter interval)
      this.#givenUp += 1;
    }
  }

  async #writePause(untilMs: number): Promise<void> {
    for (;;) {
      const item = await this.#o.store.get(this.#key);
      const state = stateOf(item?.values);
      if (state.pausedUntil >= untilMs) return;
      if (await this.#write(pause(state, untilMs), item?.version)) return;
    }
  }

  #write(state: BudgetState, expected: number | undefined): Promise<boolean> {
    return this.#o.store.put(
      this.#key,
      {
        version: (expected ?? 0) + 1,
        values: { tat: state.tat, pausedUntil: state.pausedUntil },
        expiresAt: Math.ceil(Math.max(state.tat, state.pausedUntil) / 1000) + BUDGET_TTL_SECONDS,
      },
      expected,
    );
  }

  #fallBack(error: CoordinationUnavailable): void {
    if (this.#fallback) return;
    const processes = this.#o.fallbackProcesses ?? FALLBACK_PROCESSES;
    const rate = fallbackRate(this.#o.requestsPerSecond, processes);
    this.#fallback = new RateLimiter({ concurrency: Number.MAX_SAFE_INTEGER, requestsPerSecond: rate });
    if (this.#pausedUntil) this.#fallback.pauseUntil(this.#pausedUntil);
    this.#o.logger.warn(
      `shared rate budget unavailable: this process keeps to ${rate} requests per second (requestsPerSecond ÷ ${processes} assumed processes) from now on`,
      { source: this.#o.store.source, credential: this.#o.credential, reason: error.message },
    );
  }
}

function stateOf(values: Record<string, number | string> | undefined): BudgetState {
  if (!values) return EMPTY_BUDGET;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { tat: num(values.tat), pausedUntil: num(values.pausedUntil) };
}
