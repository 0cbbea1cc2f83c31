/**
 * The base of Tributary's typed errors. `name` is stable: the state machine's Retry and Catch match
 * on it (Lambda reports it as `errorType`). Messages say what was wrong and where, never a secret.
 */

export interface ErrorWhere {
  source?: string;
  stream?: string;
  /** Already stripped of secrets. */
  url?: string;
  page?: number;
}

export interface ErrorOptions {
  cause?: unknown;
  where?: ErrorWhere;
}

function describe(where: ErrorWhere | undefined): string {
  if (!where) return '';
  const parts: string[] = [];
  if (where.source) parts.push(`source ${where.source}`);
  if (where.stream) parts.push(`stream ${where.stream}`);
  if (where.page !== undefined) parts.push(`page ${where.page}`);
  if (where.url) parts.push(where.url);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

export abstract class TributaryError extends Error {
  /**
   * Whether the state machine retries an error of this class: a rerun with the same event may
   * succeed. The class says it once; `RETRYABLE_ERROR_NAMES` and `FATAL_ERROR_NAMES` derive from it
   * (errors/errorNames.ts), and test/stepfunctions checks the ASL's Retry against them.
   * @default false
   */
  static readonly retryable: boolean = false;
  /** The class's `retryable`, on each error for whoever catches it. */
  readonly retryable: boolean;
  readonly where: ErrorWhere | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(`${message}${describe(options.where)}`, { cause: options.cause });
    this.retryable = (new.target as typeof TributaryError).retryable;
    this.where = options.where;
  }
}
