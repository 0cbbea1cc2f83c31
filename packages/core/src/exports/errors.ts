/**
 * `@tributary/core/errors`: for what matches on error names (the state machine's Retry and Catch,
 * and its tests): every error class a run can end with, and the names retried or fatal, derived
 * from the classes' `retryable`.
 */
export * from '../errors.ts';
export { SinkError } from '../landing/SinkError.ts';
export { StorageAccessError } from '../landing/StorageAccessError.ts';
