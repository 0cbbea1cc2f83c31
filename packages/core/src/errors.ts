/**
 * Tributary's typed errors, one module per kind under `errors/`. `name` is stable: the state
 * machine's Retry and Catch match on it (Lambda reports it as `errorType`). Retryable errors are
 * listed in `RETRYABLE_ERROR_NAMES`; everything else is fatal for the run of that source.
 *
 * Messages say what was wrong and where (source, stream, URL, page) and never carry secret values.
 */
export {
  ConfigurationError,
  DefinitionError,
  EventValidationError,
  SecretError,
  TemplateError,
} from './errors/configErrors.ts';
export { AuthError, HttpError, type HttpErrorOptions } from './errors/HttpError.ts';
export { RefreshTokenLostError } from './errors/RefreshTokenLostError.ts';
export { MalformedResponseError, PaginationLoopError } from './errors/responseErrors.ts';
export { RateLimitedError, type RetriesExhaustedOptions, TransientError } from './errors/TransientError.ts';
export { type ErrorOptions, type ErrorWhere, TributaryError } from './errors/TributaryError.ts';

/** The names the state machine retries. Keep in sync with stepfunctions/ingest.asl.yml. */
export const RETRYABLE_ERROR_NAMES = ['TransientError', 'RateLimitedError', 'SinkError'] as const;

/**
 * The names the state machine must not retry: a retry gets the same answer. The list of
 * docs/contracts.md ("Failure"); test/stepfunctions checks that no Retry matches one of them.
 */
export const FATAL_ERROR_NAMES = [
  'DefinitionError',
  'EventValidationError',
  'ConfigurationError',
  'SecretError',
  'AuthError',
  'HttpError',
  'MalformedResponseError',
  'PaginationLoopError',
  'TemplateError',
  'StorageAccessError',
  'RefreshTokenLostError',
] as const;
