/**
 * The manifest of one stream of one run (docs/contracts.md, "Raw zone"): written last, once every part is
 * durable. A partition without one is incomplete and is never curated.
 */
import type { StreamDefinition } from '../definition/schema.ts';
import type { LandedPart } from '../sink/PartWriter.ts';

/** A window as stored in manifests, state and continuations: ISO strings, `since` null = everything. */
export interface StoredWindow {
  since: string | null;
  until: string;
}

export type WriteDisposition = 'merge' | 'append' | 'replace';
export type SchemaContract = 'evolve' | 'freeze' | 'discardColumns';
export type CheckLevel = 'error' | 'warn';

/** The stream's data quality checks, as the curate job reads them (docs/contracts.md, Checks). */
export interface ManifestChecks {
  primaryKey: CheckLevel | 'off';
  freshness: { maxAgeSeconds: number; level: CheckLevel } | null;
  rowCount: { band: number; level: CheckLevel } | null;
}

export interface Manifest {
  runId: string;
  source: string;
  stream: string;
  /** `YYYYMMDD`, the partition's import date. */
  importDate: string;
  parts: LandedPart[];
  records: number;
  pages: number;
  /** Bytes of all parts (gzip). */
  bytes: number;
  startedAt: string;
  finishedAt: string;
  window: StoredWindow;
  /** The greatest cursor value in this run's records (incremental streams), else null. */
  watermark: string | null;
  /** Always a list (a single key becomes a one-element list), null without a primary key. */
  primaryKey: string[] | null;
  cursorField: string | null;
  writeDisposition: WriteDisposition;
  childTables: string[];
  /** How the curate job treats new or changed columns (docs/contracts.md, Schema contracts). */
  schemaContract: SchemaContract;
  checks: ManifestChecks;
  /** The parent stream, for child streams. */
  parent: string | null;
  /** ➕ The backfill slice (`<since>-<until>`, compact UTC) when the run is one; absent otherwise. */
  slice?: string;
}

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
