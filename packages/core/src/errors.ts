/**
 * Tributary's typed errors, one module per kind under `errors/`. `name` is stable: the state
 * machine's Retry and Catch match on it (Lambda reports it as `errorType`). Each class says whether it
 * is `retryable`; `RETRYABLE_ERROR_NAMES` and `FATAL_ERROR_NAMES` derive from that (errors/errorNames.ts).
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
export { ERROR_CLASSES, FATAL_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from './errors/errorNames.ts';
export { AuthError, HttpError, type HttpErrorOptions } from './errors/HttpError.ts';
export { JobFailedError, JobTimeoutError } from './errors/JobFailedError.ts';
export { RefreshTokenLostError } from './errors/RefreshTokenLostError.ts';
export { MalformedResponseError, PaginationLoopError, WindowSliceError } from './errors/responseErrors.ts';
export { RateLimitedError, type RetriesExhaustedOptions, TransientError } from './errors/TransientError.ts';
export { type ErrorOptions, type ErrorWhere, TributaryError } from './errors/TributaryError.ts';
