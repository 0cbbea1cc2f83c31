/**
 * The raw zone's keys (docs/contracts.md, "Raw zone"). Every key of a run derives from the
 * output folder, the stream, the run's import date and its runId, so a rerun overwrites instead of
 * duplicating.
 */

export interface RunLocation {
  /** `OUTPUT_FOLDER`, without leading or trailing `/`. */
  outputFolder: string;
  stream: string;
  /** `YYYYMMDD` (UTC). */
  importDate: string;
  runId: string;
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

/** `<OUTPUT_FOLDER>/<stream>/import_year=YYYY/…/import_date=YYYYMMDD/run_id=<runId>/` */
export function runPrefix(at: RunLocation): string {
  const { importDate: d } = at;
  return (
    `${at.outputFolder}/${at.stream}/import_year=${d.slice(0, 4)}/import_month=${d.slice(4, 6)}` +
    `/import_day=${d.slice(6, 8)}/import_date=${d}/run_id=${at.runId}/`
  );
}

/** `…/run_id=<runId>/part-00000.ndjson.gz` (index 0-based, 5 digits). */
export function partKey(at: RunLocation, index: number): string {
  return `${runPrefix(at)}part-${String(index).padStart(5, '0')}.ndjson.gz`;
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

/** Matches the part files of a run prefix. */
export const PART_FILE = /\/part-\d{5,}\.ndjson\.gz$/;
