/**
 * The raw zone's keys (docs/contracts.md, "Raw zone"). Every key of a run derives from the output
 * folder, the stream, the run's import date and its runId, so a rerun lands under the same prefix and
 * its manifest replaces the earlier one. Part keys also carry the attempt (one per invocation) that
 * landed them, so that no invocation ever overwrites a part a committed manifest lists: the manifest
 * is the only commit point, and the parts it does not list are removed after it is written.
 */
import { randomBytes } from 'node:crypto';

export interface RunLocation {
  /** `OUTPUT_FOLDER`, without leading or trailing `/`. */
  outputFolder: string;
  stream: string;
  /** `YYYYMMDD` (UTC). */
  importDate: string;
  runId: string;
  /**
   * ➕ A backfill slice's id (`sliceIdOf`, its bounds): the run folder becomes
   * `run_id=<runId>.slice-<slice>`, so the slices of one run never share a prefix or a manifest.
   */
  slice?: string;
}

const DATED_RUN_ID = /^(\d{4})-?(\d{2})-?(\d{2})/;

/**
 * The import date of a run as `YYYYMMDD`: the date its runId starts with (`2026-11-23T06-00-00Z-…`
 * or `20261123…`), else the date of `fallback` (the first invocation's start, carried in the
 * continuation). Returns `undefined` when the runId holds no date and no fallback is given.
 */
export function importDateOf(runId: string, fallback?: Date): string | undefined {
  const m = DATED_RUN_ID.exec(runId);
  if (m) {
    const [, y, mo, d] = m as unknown as [string, string, string, string];
    const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (
      date.getUTCFullYear() === Number(y) &&
      date.getUTCMonth() === Number(mo) - 1 &&
      date.getUTCDate() === Number(d)
    ) {
      return `${y}${mo}${d}`;
    }
  }
  if (!fallback) return undefined;
  return fallback.toISOString().slice(0, 10).replaceAll('-', '');
}

/** The value of the run's `run_id=` folder (and raw-table partition): `<runId>`, or ➕ `<runId>.slice-<slice>`. */
export function runFolderOf(at: Pick<RunLocation, 'runId' | 'slice'>): string {
  return at.slice === undefined ? at.runId : `${at.runId}.slice-${at.slice}`;
}

/** `<OUTPUT_FOLDER>/<stream>/import_year=YYYY/…/import_date=YYYYMMDD/run_id=<runId>/` (➕ `run_id=<runId>.slice-<slice>/`) */
export function runPrefix(at: RunLocation): string {
  const { importDate: d } = at;
  return (
    `${at.outputFolder}/${at.stream}/import_year=${d.slice(0, 4)}/import_month=${d.slice(4, 6)}` +
    `/import_day=${d.slice(6, 8)}/import_date=${d}/run_id=${runFolderOf(at)}/`
  );
}

/**
 * `…/run_id=<runId>/part-00000-<attempt>.ndjson.gz` (index 0-based, 5 digits; the index orders the
 * parts of a run, the attempt names the invocation that landed it). Without an attempt, the key parts
 * had before attempts existed (`part-00000.ndjson.gz`): only for a continuation written then.
 */
export function partKey(at: RunLocation, index: number, attempt?: string): string {
  const suffix = attempt === undefined ? '' : `-${attempt}`;
  return `${runPrefix(at)}part-${String(index).padStart(5, '0')}${suffix}.ndjson.gz`;
}

/** What an attempt id may be: it goes into keys, and comes back in continuations. */
export const ATTEMPT = /^[0-9a-z]{1,32}$/;

/** A new attempt id: 12 hex digits (48 random bits), one per invocation. */
export function newAttempt(): string {
  return randomBytes(6).toString('hex');
}

/** `…/run_id=<runId>/_manifest.json` */
export function manifestKey(at: RunLocation): string {
  return `${runPrefix(at)}_manifest.json`;
}

/** `_state/<OUTPUT_FOLDER>/<stream>.json`: the stream's incremental watermark. */
export function stateKey(outputFolder: string, stream: string): string {
  return `_state/${outputFolder}/${stream}.json`;
}

/** `s3://bucket/key` */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Matches the part files of a run prefix (with an attempt, or from before attempts existed). */
export const PART_FILE = /\/part-\d{5,}(?:-[0-9a-z]{1,32})?\.ndjson\.gz$/;
