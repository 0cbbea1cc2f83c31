/**
 * Client-side rate limiting for one source (one credential), shared by all its streams in this
 * process: at most `concurrency` requests in flight, request starts spaced `1000 / requestsPerSecond`
 * ms apart plus `RATE_MARGIN` (a cell rate with a burst of one: GCRA), and a server's "slow down"
 * pausing every request of the source (`pauseUntil`). Slots and starts are granted in arrival order.
 *
 * The spacing is measured from the instant the last start was granted, not from when it was due, so a
 * late timer never shortens the next gap: any `N + 1` starts span at least `N` intervals, i.e.
 * `1000 × (1 + RATE_MARGIN)` ms for `N = requestsPerSecond`, and a server counting arrivals in a
 * sliding 1 s window never sees `N + 1`, with the margin (50 ms a window) left for the difference
 * between our send time and its receipt time.
 *
 * A start is granted only at an instant when no pause is in force and the spacing since the last
 * start has passed, both checked at that instant: a pause set while a request waits for its turn
 * holds it too, and after a pause requests resume one interval apart, not as a burst.
 */

/**
 * The share of an interval added to it: `requestsPerSecond: 10` starts requests 105 ms apart.
 * @default 0.05
 */
export const RATE_MARGIN = 0.05;

export interface RateLimitOptions {
  /** Absent = unlimited. */
  requestsPerSecond?: number;
  concurrency: number;
}

export interface AcquireOptions {
  /**
   * The longest pause this request will wait out; a longer one rejects it with `PauseTooLong` at
   * once, instead of holding it (and its slot) until the pause ends. @default Infinity
   */
  maxPauseMs?: number;
}

/** Gives the slot back; call exactly once. */
export type Release = () => void;

/** What the HTTP client needs of a limiter: this process's `RateLimiter`, or a credential's shared one. */
export interface Limiter {
  acquire(signal?: AbortSignal, options?: AcquireOptions): Promise<Release>;
  pauseUntil(epochMs: number): void;
}

/** The source is paused for longer than the request may wait (`AcquireOptions.maxPauseMs`). */
export class PauseTooLong extends Error {
  override readonly name = 'PauseTooLong';
  constructor(
    /** What is left of the pause, ms. */
    readonly pauseMs: number,
    readonly maxPauseMs: number,
  ) {
    super(
      `the source is paused for ${pauseMs} ms more, longer than the ${maxPauseMs} ms this request may wait`,
    );
  }
}

interface Starter {
  resolve: () => void;
  reject: (error: unknown) => void;
  maxPauseMs: number;
}

export class RateLimiter implements Limiter {
  readonly #interval: number;
  readonly #concurrency: number;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  /** Requests holding a slot and waiting for their start, in arrival order. */
  readonly #starting: Starter[] = [];
  /** The wake-up for the first of `#starting`, when it must wait. */
  #timer: NodeJS.Timeout | undefined;
  /** When the last request started (epoch ms). */
  #lastStart = Number.NEGATIVE_INFINITY;
  #pausedUntil = 0;

  constructor(options: RateLimitOptions) {
    this.#interval = options.requestsPerSecond ? (1000 / options.requestsPerSecond) * (1 + RATE_MARGIN) : 0;
    this.#concurrency = options.concurrency;
  }

  /** Waits for a slot in flight and a start time; returns the release. */
  async acquire(signal?: AbortSignal, options: AcquireOptions = {}): Promise<Release> {
    const { maxPauseMs = Number.POSITIVE_INFINITY } = options;
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
      await this.#start(signal, maxPauseMs);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /** Queues for a start; resolves at the instant it is granted. */
  #start(signal: AbortSignal | undefined, maxPauseMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#starting.indexOf(starter);
        if (i < 0) return;
        this.#starting.splice(i, 1);
        reject(signal?.reason);
        if (i === 0) this.#reschedule();
      };
      const starter: Starter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        maxPauseMs,
      };
      this.#starting.push(starter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#starting.length === 1) this.#reschedule();
    });
  }

  /** Looks at the first waiting request again, now: grants it, rejects it, or sets the wake-up. */
  #reschedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const head = this.#starting[0];
      if (!head) return;
      const now = Date.now();
      const pauseMs = this.#pausedUntil - now;
      if (pauseMs > head.maxPauseMs) {
        this.#starting.shift();
        head.reject(new PauseTooLong(pauseMs, head.maxPauseMs));
        continue;
      }
      const start = Math.max(this.#lastStart + this.#interval, this.#pausedUntil);
      if (start > now) {
        this.#timer = setTimeout(() => this.#reschedule(), Math.ceil(start - now));
        return;
      }
      this.#lastStart = now;
      this.#starting.shift();
      head.resolve();
    }
  }

  /**
   * The server asked the source to wait: no request starts before `epochMs`, from this call on
   * (requests waiting for their start included).
   */
  pauseUntil(epochMs: number): void {
    if (epochMs <= this.#pausedUntil) return;
    this.#pausedUntil = epochMs;
    if (this.#starting.length) this.#reschedule();
  }
}
