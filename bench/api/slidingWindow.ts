/**
 * The bench API's server-side limit: at most `limit` requests admitted in any window of `windowMs`
 * (a true sliding window: every admitted request's arrival time is kept until it leaves the window).
 * A refused request is not counted, as most APIs do; it is told how long until a slot frees up.
 * Pure and clock-free: the caller passes `now` (ms), so tests drive it without timers.
 */
export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export class SlidingWindowLimit {
  readonly #admitted: number[] = [];
  #head = 0;
  /** The most requests ever admitted within one window (≤ limit by construction). */
  maxInWindow = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!(limit > 0 && windowMs > 0))
      throw new RangeError(`limit and windowMs must be > 0, got ${limit}, ${windowMs}`);
  }

  admit(now: number): Admission {
    // An arrival at `t` leaves the window at `t + windowMs`: the window is (now - windowMs, now].
    while (this.#head < this.#admitted.length && this.#admitted[this.#head]! <= now - this.windowMs)
      this.#head++;
    if (this.#head > 1024) {
      this.#admitted.splice(0, this.#head);
      this.#head = 0;
    }
    const inWindow = this.#admitted.length - this.#head;
    if (inWindow < this.limit) {
      this.#admitted.push(now);
      this.maxInWindow = Math.max(this.maxInWindow, inWindow + 1);
      return { ok: true };
    }
    return { ok: false, retryAfterMs: this.#admitted[this.#head]! + this.windowMs - now };
  }
}
