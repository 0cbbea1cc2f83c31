import type { ErrorOptions } from './TributaryError.ts';
import { withFacts } from './withFacts.ts';

/** What running out of retries carries besides its message. */
export interface RetriesExhaustedFacts {
  /** Attempts made, the first included. */
  attempts: number;
  /** The reason of the last failure, e.g. `HTTP 503`, `ECONNRESET`, `timeout`. */
  reason: string;
}

export type RetriesExhaustedOptions = ErrorOptions & RetriesExhaustedFacts;

/** Retries ran out (attempts or total wait) on conditions that may pass: network errors, timeouts, 5xx. */
export class TransientError extends withFacts<RetriesExhaustedFacts>({ attempts: true, reason: true }) {
  override readonly name: string = 'TransientError';
  static override readonly retryable = true;
}

/** Retries ran out while the API kept saying "slow down" (429, rate-limit headers). */
export class RateLimitedError extends TransientError {
  override readonly name = 'RateLimitedError';
}
