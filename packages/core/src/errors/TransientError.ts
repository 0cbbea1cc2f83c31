import { type ErrorOptions, TributaryError } from './TributaryError.ts';

export interface RetriesExhaustedOptions extends ErrorOptions {
  /** Attempts made, the first included. */
  attempts: number;
  /** The reason of the last failure, e.g. `HTTP 503`, `ECONNRESET`, `timeout`. */
  reason: string;
}

/** Retries ran out (attempts or total wait) on conditions that may pass: network errors, timeouts, 5xx. */
export class TransientError extends TributaryError {
  override readonly name: string = 'TransientError';
  static override readonly retryable = true;
  readonly attempts: number;
  readonly reason: string;

  constructor(message: string, options: RetriesExhaustedOptions) {
    super(message, options);
    this.attempts = options.attempts;
    this.reason = options.reason;
  }
}

/** Retries ran out while the API kept saying "slow down" (429, rate-limit headers). */
export class RateLimitedError extends TransientError {
  override readonly name = 'RateLimitedError';
}
