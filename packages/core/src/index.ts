/**
 * `@tributary/core`: what a source author uses — describe the API (`defineSource`), read settings
 * from the environment (`envList`, `envValue`), export the Lambda handler (`createHandler`), and
 * the errors a source may throw or meet in its tests. At most 20 names (test/repo/publicSurface.test.ts).
 *
 * Withheld, behind named subpaths (package.json `exports`, one file each under `src/exports/`):
 * - `@tributary/core/definition`: for tools that read or generate definitions (the sandbox, the
 *   new-source generator): the definition schema, the kinds, the per-source environment names.
 * - `@tributary/core/raw-zone`: for readers of what a run landed (tests, the schema script): S3
 *   keys, the manifest and its schema, the watermark, the raw table's name.
 * - `@tributary/core/errors`: for the state machine's tests: every error class, and which names
 *   are retried (`RETRYABLE_ERROR_NAMES`) or fatal (`FATAL_ERROR_NAMES`).
 * `LandingStorage` is the type of `createHandler`'s `storage` option (S3 by default).
 * Everything else (HTTP, pagination, sink, rate limits, coordination) is internal to the handler.
 */

export { defineSource } from './definition/defineSource.ts';
export type { ResponseRule, SourceDefinition, SourceInput, StreamDefinition } from './definition/schema.ts';
export { ConfigurationError, DefinitionError } from './errors/configErrors.ts';
export { TransientError } from './errors/TransientError.ts';
export { TributaryError } from './errors/TributaryError.ts';
export type { LandingStorage, PartUpload } from './landing/LandingStorage.ts';
export { type EnvListOptions, envList } from './run/config/envList.ts';
export { type EnvValueOptions, envValue } from './run/config/envValue.ts';
export { createHandler, type Handler, type HandlerOptions } from './run/createHandler.ts';
export type { HandlerEvent } from './run/event.ts';
export type { HandlerResult } from './run/types.ts';
