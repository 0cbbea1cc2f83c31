/**
 * Tributary's typed errors. `name` is stable: the state machine's Retry and Catch match on it
 * (Lambda reports it as `errorType`). Retryable errors end in `TransientError`-like names listed in
 * `RETRYABLE_ERROR_NAMES`; everything else is fatal for the run of that source.
 *
 * Messages say what was wrong and where (source, stream, URL, page) and never carry secret values.
 */

export interface ErrorWhere {
  source?: string;
  stream?: string;
  /** Already stripped of secrets. */
  url?: string;
  page?: number;
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
  abstract readonly retryable: boolean;
  readonly where: ErrorWhere | undefined;

  constructor(message: string, options: { cause?: unknown; where?: ErrorWhere } = {}) {
    super(`${message}${describe(options.where)}`, { cause: options.cause });
    this.where = options.where;
  }
}

/** A source definition that does not validate; raised when the module loads. */
export class DefinitionError extends TributaryError {
  override readonly name = 'DefinitionError';
  readonly retryable = false;
}

/** The handler event does not match the contract; names the field. */
export class EventValidationError extends TributaryError {
  override readonly name = 'EventValidationError';
  readonly retryable = false;
}

/** A required environment variable is missing or malformed; names it. */
export class ConfigurationError extends TributaryError {
  override readonly name = 'ConfigurationError';
  readonly retryable = false;
}

/** The secret, or a key in it, is missing; names the secret and the key, never a value. */
export class SecretError extends TributaryError {
  override readonly name = 'SecretError';
  readonly retryable = false;
}

/** The names the state machine retries. Keep in sync with stepfunctions/ingest.asl.yml. */
export const RETRYABLE_ERROR_NAMES = ['TransientError', 'RateLimitedError', 'SinkError'] as const;
