/**
 * The manifest of one stream of one run (docs/contracts.md, "Raw zone"): written last, once every part is
 * durable. A partition without one is incomplete and is never curated.
 */
import type { z } from 'zod';
import type { StreamDefinition } from '../definition/schema.ts';
import type { ManifestChecksSchema, ManifestSchema, StoredWindowSchema } from './ManifestSchema.ts';
import type { LandedPart } from './PartWriter.ts';

/** A window as stored in manifests, state and continuations: ISO strings, `since` null = everything. */
export type StoredWindow = z.output<typeof StoredWindowSchema>;
/** The manifest, as the handler writes it: its one definition is `ManifestSchema` (ManifestSchema.ts). */
export type Manifest = z.output<typeof ManifestSchema>;
export type WriteDisposition = Manifest['writeDisposition'];
export type SchemaContract = Manifest['schemaContract'];
/** The stream's data quality checks, as the curate job reads them (docs/contracts.md, Checks). */
export type ManifestChecks = z.output<typeof ManifestChecksSchema>;
export type CheckLevel = 'error' | 'warn';

/** The stream's write disposition: as declared, else `merge` with a primary key, else `append`. */
export function writeDispositionOf(stream: StreamDefinition): WriteDisposition {
  return stream.writeDisposition ?? (stream.primaryKey ? 'merge' : 'append');
}

export interface BuildManifestInput {
  runId: string;
  source: string;
  stream: string;
  definition: StreamDefinition;
  importDate: string;
  parts: LandedPart[];
  pages: number;
  startedAt: string;
  finishedAt: string;
  window: StoredWindow;
  watermark: string | null;
  slice?: string;
}

export function buildManifest(input: BuildManifestInput): Manifest {
  const { definition: d } = input;
  return {
    runId: input.runId,
    source: input.source,
    stream: input.stream,
    importDate: input.importDate,
    parts: input.parts,
    records: input.parts.reduce((n, p) => n + p.records, 0),
    pages: input.pages,
    bytes: input.parts.reduce((n, p) => n + p.bytes, 0),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    window: input.window,
    watermark: input.watermark,
    primaryKey:
      d.primaryKey === undefined ? null : Array.isArray(d.primaryKey) ? d.primaryKey : [d.primaryKey],
    cursorField: d.incremental?.cursorField ?? null,
    writeDisposition: writeDispositionOf(d),
    childTables: d.childTables,
    schemaContract: d.schemaContract,
    checks: {
      primaryKey: d.checks.primaryKey,
      freshness: d.checks.freshness
        ? { maxAgeSeconds: d.checks.freshness.maxAgeHours * 3600, level: d.checks.freshness.level }
        : null,
      rowCount: d.checks.rowCount,
    },
    parent: d.parent?.stream ?? null,
    ...(input.slice !== undefined && { slice: input.slice }),
  };
}
