/**
 * Client-side rate limiting for one source, shared by all its streams: at most `concurrency`
 * requests in flight, and request starts spaced `1000 / requestsPerSecond` ms apart (a leaky
 * bucket without burst). A server's "slow down" pauses the whole source (`pauseUntil`).
 * Slots are granted in arrival order.
 */
import { sleep } from '../retry/sleep.ts';

export interface RateLimitOptions {
  /** Absent = unlimited. */
  requestsPerSecond?: number;
  concurrency: number;
}

/** Gives the slot back; call exactly once. */
export type Release = () => void;

export class RateLimiter {
  readonly #interval: number;
  readonly #concurrency: number;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  /** Earliest start of the next request (epoch ms). */
  #nextStart = 0;
  #pausedUntil = 0;

  constructor(options: RateLimitOptions) {
    this.#interval = options.requestsPerSecond ? 1000 / options.requestsPerSecond : 0;
    this.#concurrency = options.concurrency;
  }

  /** Waits for a slot in flight and a start time; returns the release. */
  async acquire(signal?: AbortSignal): Promise<Release> {
    signal?.throwIfAborted();
    if (this.#inFlight >= this.#concurrency) {
      await new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.#waiting.indexOf(grant);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal?.reason);
        };
        this.#waiting.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.#inFlight++;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#inFlight--;
    };
    try {
      await this.#waitForStart(signal);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  async #waitForStart(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      const start = Math.max(now, this.#nextStart, this.#pausedUntil);
      if (start <= now) {
        this.#nextStart = now + this.#interval;
        return;
      }
      if (this.#pausedUntil <= now && this.#interval > 0) {
        // Reserve the slot now, so that waiters keep their order.
        this.#nextStart = start + this.#interval;
        await sleep(start - now, signal);
        return;
      }
      await sleep(start - now, signal);
    }
  }

  /** The server asked the source to wait: no request starts before `epochMs`. */
  pauseUntil(epochMs: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, epochMs);
  }
}
