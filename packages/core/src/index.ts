export { authKinds, createAuth } from './auth/registry.ts';
export type { AuthContext, AuthFactory, AuthProvider } from './auth/types.ts';
export { inferColumns } from './catalog/rawSchema.ts';
export { type RegisterRawTableInput, rawTableName, registerRawTable } from './catalog/rawTable.ts';
export { type EnvListOptions, envList } from './config/envList.ts';
export { type EnvValueOptions, envValue } from './config/envValue.ts';
export {
  type CoordinationItem,
  type CoordinationStore,
  CoordinationUnavailable,
} from './coordination/CoordinationStore.ts';
export {
  type DynamoCoordinationOptions,
  dynamoCoordinationStore,
} from './coordination/dynamoCoordinationStore.ts';
export { defineSource } from './definition/defineSource.ts';
export * from './definition/schema.ts';
export * from './errors.ts';
export type { Continuation, StreamProgress } from './handler/continuation.ts';
export { createHandler, type Handler, type HandlerOptions } from './handler/createHandler.ts';
export { type HandlerEnvironment, sourceEnvName } from './handler/environment.ts';
export type { HandlerEvent } from './handler/event.ts';
export type { HandlerResult, StreamResult } from './handler/types.ts';
export { createReader, userAgent } from './http/createReader.ts';
export { REDACTED, Redactor } from './http/Redactor.ts';
export type { HttpRequest, HttpResponse, ResponseHeaders } from './http/types.ts';
export { buildManifest, type Manifest, type StoredWindow, writeDispositionOf } from './manifest/Manifest.ts';
export { redactUrl } from './observability/redactUrl.ts';
export { METRICS_NAMESPACE } from './observability/StreamTelemetry.ts';
export { findLink } from './pagination/parseLinkHeader.ts';
export { paginatorKinds } from './pagination/registry.ts';
export type { PageRequest, PageResult, Paginator, PaginatorFactory, RecordList } from './pagination/types.ts';
export { type BudgetState, grant as gcraGrant, pause as gcraPause } from './ratelimit/gcra.ts';
export { type Limiter, RATE_MARGIN, RateLimiter, type RateLimitOptions } from './ratelimit/RateLimiter.ts';
export {
  FALLBACK_PROCESSES,
  SharedRateLimiter,
  type SharedRateLimiterOptions,
} from './ratelimit/SharedRateLimiter.ts';
export { fullJitter } from './retry/backoff.ts';
export { classifyResponse, defaultResponseRules, type ResponseOutcome } from './retry/responseRules.ts';
export { parseReset, parseRetryAfter, waitHint } from './retry/waitHint.ts';
export { type Credentials, DEFAULT_SECRET_MAX_AGE_SECONDS, loadCredentials } from './secrets/credentials.ts';
export {
  importDateOf,
  manifestKey,
  newAttempt,
  partKey,
  type RunLocation,
  runPrefix,
  s3Uri,
  stateKey,
} from './sink/keys.ts';
export type { LandedPart } from './sink/PartWriter.ts';
export { type LandedPartRef, readLandedRecords } from './sink/readLandedRecords.ts';
export { SinkError } from './sink/SinkError.ts';
export { StorageAccessError } from './sink/StorageAccessError.ts';
export { StreamSink, type StreamSinkOptions, toNdjson } from './sink/StreamSink.ts';
export { readWatermark, type WatermarkState } from './state/Watermark.ts';
export type { LandingStorage, PartUpload } from './storage/LandingStorage.ts';
export type * from './stream/types.ts';
export { compilePath, getPath } from './template/getPath.ts';
export { compileTemplate, formatDate, renderTemplate, type TemplateValues } from './template/template.ts';
