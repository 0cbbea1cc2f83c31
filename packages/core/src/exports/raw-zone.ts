/**
 * `@tributary/core/raw-zone`: for readers of what a run landed (docs/contracts.md, "Raw zone"):
 * the S3 keys, the NDJSON line format, the manifest and its zod schemas (what the handler writes,
 * what a reader accepts, and the latter as JSON Schema), the watermark, the raw table, and the one
 * rule that names columns (`resolveNames`) with the raw table's schema inference (`inferColumns`).
 */
export { columnName, MAX_NAME, resolveNames, SEP, sanitize } from '../landing/catalog/columnNames.ts';
export { inferColumns, type RawSchema } from '../landing/catalog/rawSchema.ts';
export { rawTableName } from '../landing/catalog/rawTable.ts';
export {
  importDateOf,
  manifestKey,
  newAttempt,
  partKey,
  type RunLocation,
  runPrefix,
  s3Uri,
  stateKey,
} from '../landing/keys.ts';
export type { Manifest, StoredWindow } from '../landing/Manifest.ts';
export { ManifestContractSchema, ManifestSchema, manifestJsonSchema } from '../landing/ManifestSchema.ts';
export { toNdjson } from '../landing/StreamSink.ts';
export type { WatermarkState } from '../landing/Watermark.ts';
