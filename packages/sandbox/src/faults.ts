/**
 * Injected faults, like real APIs have: a 429 with `Retry-After` or a 503, decided by the seed and
 * the request itself (method, path and query) on its first attempt only, so the same run meets the
 * same faults in any request order, and a retry of the same request goes through.
 */
import { unit } from './random.ts';

export interface FaultOptions {
  /** Share of first attempts answered 429 with `Retry-After`. @default 0.01 */
  rateLimited: number;
  /** Share of first attempts answered 503. @default 0.01 */
  unavailable: number;
  /** The `Retry-After` of a 429, in seconds. @default 1 */
  retryAfterSeconds: number;
}

export const DEFAULT_FAULTS: FaultOptions = { rateLimited: 0.01, unavailable: 0.01, retryAfterSeconds: 1 };

export type Fault = 'rateLimited' | 'unavailable';

export class FaultPlan {
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly seed: number,
    private readonly options: FaultOptions | false,
  ) {}

  /** The fault to answer this request with, if any; `epoch` makes each advance meet new faults. */
  decide(epoch: number, method: string, pathAndQuery: string): Fault | undefined {
    if (!this.options) return undefined;
    const key = `${epoch}|${method}|${pathAndQuery}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    if (attempt > 1) return undefined;
    const draw = unit(this.seed, `fault|${key}`);
    if (draw < this.options.rateLimited) return 'rateLimited';
    if (draw < this.options.rateLimited + this.options.unavailable) return 'unavailable';
    return undefined;
  }

  get retryAfterSeconds(): number {
    return this.options ? this.options.retryAfterSeconds : 1;
  }
}
