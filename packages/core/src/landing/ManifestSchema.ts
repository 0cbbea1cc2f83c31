/**
 * The manifest's one definition (docs/contracts.md, "Raw zone"). `ManifestSchema` is what the
 * handler writes; the `Manifest` type derives from it (Manifest.ts). `ManifestContractSchema`,
 * derived from it, is what a reader accepts — the written manifest, and what earlier manifests and
 * hand-written ones spell differently — and is emitted as
 * glue-scripts/tributary_curate/manifest.schema.json (`pnpm run schemas`), which the curate job
 * validates every manifest against. Imported for types only by the handler: no zod work at cold start.
 */
import { z } from 'zod';
import type { LandedPart } from './PartWriter.ts';

const CheckLevelSchema = z.enum(['error', 'warn']);

export const LandedPartSchema = z.strictObject({
  key: z.string().min(1).describe('The object key in the manifest bucket'),
  records: z.int().min(0),
  bytes: z.int().min(0).describe('Bytes of the object (gzip)'),
  sha256: z.string().min(1).describe('sha256 of the object bytes, hex'),
  ndjsonBytes: z.int().min(0).describe('Bytes of NDJSON before compression'),
});

/** A window as stored in manifests, state and continuations: ISO strings, `since` null = everything. */
export const StoredWindowSchema = z.strictObject({ since: z.string().nullable(), until: z.string() });

/** The stream's data quality checks, as the curate job reads them (docs/contracts.md, Checks). */
export const ManifestChecksSchema = z.strictObject({
  primaryKey: z.enum(['error', 'warn', 'off']),
  freshness: z.strictObject({ maxAgeSeconds: z.number().positive(), level: CheckLevelSchema }).nullable(),
  rowCount: z.strictObject({ band: z.number().positive(), level: CheckLevelSchema }).nullable(),
});

const WriteDispositionSchema = z.enum(['merge', 'append', 'replace']);
const SchemaContractSchema = z
  .enum(['evolve', 'freeze', 'discardColumns'])
  .describe('How the curate job treats new or changed columns (docs/contracts.md, Schema contracts)');

/** The manifest of one stream of one run, as the handler writes it. */
export const ManifestSchema = z.strictObject({
  runId: z.string().min(1),
  source: z.string().min(1),
  stream: z.string().min(1),
  importDate: z
    .string()
    .regex(/^\d{8}$/)
    .describe("YYYYMMDD, the partition's import date"),
  parts: z.array(LandedPartSchema),
  records: z.int().min(0),
  pages: z.int().min(0),
  bytes: z.int().min(0).describe('Bytes of all parts (gzip)'),
  startedAt: z.string(),
  finishedAt: z.string(),
  window: StoredWindowSchema,
  watermark: z.string().nullable().describe("The greatest cursor value in this run's records, else null"),
  primaryKey: z.array(z.string().min(1)).nullable().describe('Always a list, null without a primary key'),
  cursorField: z.string().min(1).nullable(),
  writeDisposition: WriteDispositionSchema,
  childTables: z.array(z.string().min(1)),
  schemaContract: SchemaContractSchema,
  checks: ManifestChecksSchema,
  parent: z.string().min(1).nullable().describe('The parent stream, for child streams'),
  slice: z
    .string()
    .regex(/^\d{8}T\d{6}(\d{3})?Z-\d{8}T\d{6}(\d{3})?Z$/)
    .optional()
    .describe('➕ The backfill slice (`<since>-<until>`, compact UTC) when the run is one; absent otherwise'),
});

/**
 * What a reader of the raw zone accepts (the curate job, through the emitted JSON Schema): the
 * fields above, of those types, and nothing else — but only `runId`, `source`, `stream` and
 * `parts` (each with `key` and `records`) must be there, since manifests written before the others
 * existed are still curated. Absent or null, `writeDisposition` is `merge` with a primary key,
 * else `append`; `schemaContract` is `evolve`; `checks` and its fields are the defaults; a part's
 * `bytes` and `sha256` are not checked. `primaryKey` may be a single field name (earlier manifests).
 */
export const ManifestContractSchema = ManifestSchema.partial()
  .required({ runId: true, source: true, stream: true, parts: true })
  .extend({
    parts: z.array(
      LandedPartSchema.partial().required({ key: true, records: true }).extend({
        bytes: LandedPartSchema.shape.bytes.nullable().optional(),
        sha256: LandedPartSchema.shape.sha256.nullable().optional(),
      }),
    ),
    primaryKey: z.union([z.string().min(1), ManifestSchema.shape.primaryKey]).optional(),
    writeDisposition: WriteDispositionSchema.nullable().optional(),
    childTables: ManifestSchema.shape.childTables.nullable().optional(),
    schemaContract: SchemaContractSchema.nullable().optional(),
    checks: ManifestChecksSchema.partial()
      .extend({
        freshness: ManifestChecksSchema.shape.freshness
          .unwrap()
          .partial({ level: true })
          .nullable()
          .optional(),
        rowCount: ManifestChecksSchema.shape.rowCount.unwrap().partial().nullable().optional(),
      })
      .nullable()
      .optional(),
  });

/** The JSON Schema the curate job validates manifests against (draft 2020-12). */
export function manifestJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(ManifestContractSchema, { target: 'draft-2020-12' });
  return {
    $schema,
    title: 'Tributary raw-zone manifest',
    description:
      'One stream of one run: written last, once every part is durable (docs/contracts.md, "Raw zone"). ' +
      'Generated from packages/core/src/landing/ManifestSchema.ts by `pnpm run schemas`; do not edit.',
    ...schema,
  };
}

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** A part as the sink lands it is exactly a manifest's part: a field added to one goes in the other. */
export const PART_MATCHES_SCHEMA: Same<LandedPart, z.output<typeof LandedPartSchema>> = true;
