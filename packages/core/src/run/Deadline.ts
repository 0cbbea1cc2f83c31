/**
 * When an invocation stops: at `getRemainingTimeInMillis() <= safetyMarginMs`, checked at every page
 * boundary, with a timer for waits inside a page (a slow or hung API), or as soon as a stream
 * failed. The invocation always lands at least one page first, so chained invocations finish even
 * when the margin is larger than the time left.
 */
export class Deadline {
  /** Aborted when stopping: cancels requests in flight. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private progressed = false;
  private passed = false;
  private failed = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly remaining: () => number,
    private readonly safetyMarginMs: number,
  ) {
    this.signal = this.controller.signal;
    const until = remaining() - safetyMarginMs;
    if (Number.isFinite(until)) {
      this.timer = setTimeout(
        () => {
          this.passed = true;
          if (this.progressed) this.stop();
        },
        Math.max(0, Math.min(until, 2 ** 31 - 1)),
      );
      this.timer.unref();
    }
  }

  /** True when the invocation must stop at the next page boundary. */
  shouldStop(): boolean {
    if (this.failed) return true;
    if (!this.progressed) return false;
    if (!this.signal.aborted && this.remaining() <= this.safetyMarginMs) this.stop();
    return this.signal.aborted;
  }

  /** A page landed (or a stream finished): the invocation moved forward. */
  progress(): void {
    this.progressed = true;
    if (this.passed) this.stop();
  }

  /** A stream failed: the others stop at their next page boundary. */
  fail(): void {
    this.failed = true;
    this.stop();
  }

  stop(): void {
    if (this.signal.aborted) return;
    this.controller.abort();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.stop();
  }
}
