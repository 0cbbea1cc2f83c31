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
  abstract readonly retryable: boolean;
  readonly where: ErrorWhere | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(`${message}${describe(options.where)}`, { cause: options.cause });
    this.where = options.where;
  }
}
