/**
 * Every error a run can end with, by class, and the names the state machine's Retry matches,
 * derived from each class's `retryable` (docs/contracts.md, "Failure"). A new error class is added
 * here; packages/core/test/errors/errorNames.test.ts fails for an exported class that is not.
 */
import { SinkError } from '../sink/SinkError.ts';
import { StorageAccessError } from '../sink/StorageAccessError.ts';
import {
  ConfigurationError,
  DefinitionError,
  EventValidationError,
  SecretError,
  TemplateError,
} from './configErrors.ts';
import { AuthError, HttpError } from './HttpError.ts';
import { JobFailedError, JobTimeoutError } from './JobFailedError.ts';
import { RefreshTokenLostError } from './RefreshTokenLostError.ts';
import { MalformedResponseError, PaginationLoopError, WindowSliceError } from './responseErrors.ts';
import { RateLimitedError, TransientError } from './TransientError.ts';

/** Each class's `name` is its `errorType` in Lambda's error report (keepNames keeps it in bundles). */
export const ERROR_CLASSES = [
  TransientError,
  RateLimitedError,
  SinkError,
  DefinitionError,
  EventValidationError,
  ConfigurationError,
  SecretError,
  AuthError,
  HttpError,
  MalformedResponseError,
  PaginationLoopError,
  TemplateError,
  StorageAccessError,
  RefreshTokenLostError,
  WindowSliceError,
  JobFailedError,
  JobTimeoutError,
] as const;

/** The names the state machine retries (stepfunctions/ingest.asl.yml, InvokeSource's Retry). */
export const RETRYABLE_ERROR_NAMES: readonly string[] = ERROR_CLASSES.filter((c) => c.retryable).map(
  (c) => c.name,
);

/** The names the state machine must not retry: a retry gets the same answer. */
export const FATAL_ERROR_NAMES: readonly string[] = ERROR_CLASSES.filter((c) => !c.retryable).map(
  (c) => c.name,
);
