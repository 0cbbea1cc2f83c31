/**
 * The window on the client's side. A stream whose requests carry `{since}` / `{until}` (in its path,
 * params or headers) lets the API bound the window; a bound the requests do not carry is applied
 * here, on the cursor field of each landed record: a record whose cursor is before `since` or after
 * `until` is left out and counted (`Page.filteredOut`, the stream result's `filteredOut`), so a
 * backfill of 12:00–13:00 lands 12:00–13:00 and not everything up to now. ➕ The window is half-open,
 * `[since, until)`: a record exactly on `until` belongs to the next window (the next backfill slice,
 * the next window step), so consecutive windows land each record once, append streams included; a
 * record without a readable cursor is kept (nothing says it is outside).
 *
 * Scanned pages stay scanned when nothing is outside: with only `until` to apply, the page's
 * greatest cursor decides without parsing; otherwise the lines are parsed to look, and the kept
 * ones keep the API's own bytes.
 */
import type { IncrementalDefinition } from '../definition/schema.ts';
import type { ApiRecord, NdjsonLines } from '../stream/types.ts';
import type { PathGetter } from '../template/getPath.ts';
import { cursorMillis } from './maxCursor.ts';

/** The bounds to apply, epoch ms; absent when the API applies it (or the window has none). */
export interface WindowFilter {
  sinceMs?: number;
  untilMs?: number;
}

/** The bounds a stream's requests do not carry, for this window; `undefined` if there are none. */
export function windowFilter(
  bounded: { since: boolean; until: boolean },
  since: Date | undefined,
  until: Date | undefined,
): WindowFilter | undefined {
  const filter: WindowFilter = {};
  if (!bounded.since && since) filter.sinceMs = since.getTime();
  if (!bounded.until && until) filter.untilMs = until.getTime();
  return filter.sinceMs === undefined && filter.untilMs === undefined ? undefined : filter;
}

function outside(filter: WindowFilter, ms: number | undefined): boolean {
  if (ms === undefined) return false;
  return (
    (filter.sinceMs !== undefined && ms < filter.sinceMs) ||
    (filter.untilMs !== undefined && ms >= filter.untilMs)
  );
}

/** Whether a scanned page can be landed as is, from its greatest cursor alone. */
export function scannedInside(filter: WindowFilter, maxCursor: string | undefined): boolean {
  if (maxCursor === undefined) return true; // no record has a readable cursor: none is outside
  return filter.sinceMs === undefined && !outside(filter, Date.parse(maxCursor));
}

export function filterRecords(
  records: ApiRecord[],
  at: PathGetter,
  type: IncrementalDefinition['cursorType'],
  filter: WindowFilter,
): { records: ApiRecord[]; removed: number } {
  const kept = records.filter((r) => !outside(filter, cursorMillis(at(r), type)));
  return { records: kept, removed: records.length - kept.length };
}

/** The lines inside the window, each as the API's bytes, and the parsed records kept. */
export function filterLines(
  lines: NdjsonLines,
  at: PathGetter,
  type: IncrementalDefinition['cursorType'],
  filter: WindowFilter,
): { lines: NdjsonLines; kept: ApiRecord[]; removed: number } {
  const { ndjson } = lines;
  const slices: Buffer[] = [];
  const kept: ApiRecord[] = [];
  let start = 0;
  for (let k = 0; k < lines.count; k++) {
    const end = ndjson.indexOf(0x0a, start);
    const line = ndjson.subarray(start, end + 1);
    start = end + 1;
    const record = JSON.parse(line.toString('utf8')) as ApiRecord;
    if (outside(filter, cursorMillis(at(record), type))) continue;
    slices.push(line);
    kept.push(record);
  }
  const removed = lines.count - kept.length;
  if (removed === 0) return { lines, kept, removed };
  return { lines: { ndjson: Buffer.concat(slices), count: kept.length }, kept, removed };
}
