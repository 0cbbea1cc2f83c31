/**
 * One fetched page of a stream (`readStream.ts`) and the `Page` it becomes: the scanned/parsed
 * fork. A scanned page keeps its records as the API's NDJSON bytes (filtered to the window by line);
 * a parsed page gets its records finished (carried and partition fields, transform) and filtered.
 */
import type { IncrementalDefinition } from '../definition/schema.ts';
import type { RecordList } from '../pagination/types.ts';
import type { ApiRecord, NdjsonLines, Page } from '../stream/types.ts';
import type { PathGetter } from '../template/getPath.ts';
import { finishRecords } from './finishRecords.ts';
import { maxCursor } from './maxCursor.ts';
import { lineAt, type ScannedPage } from './scanRecords.ts';
import type { StreamPlan } from './streamPlan.ts';
import type { HttpResponse } from './types.ts';
import type { Position, Walk } from './walks.ts';
import { filterLines, filterRecords, scannedInside, type WindowFilter } from './windowFilter.ts';

export interface Fetched {
  response: HttpResponse;
  url: URL;
  /** What paginators read: the parsed body, or (scanned pages) the body with its records array emptied. */
  body: unknown;
  records: RecordList;
  /** A parsed page's records. */
  parsed?: readonly unknown[];
  /** A scanned page: its records as NDJSON, and its greatest cursor. */
  scanned?: ScannedPage;
}

/** A scanned page's records for paginators: the count, and a record parsed only when asked for. */
export function scannedList(page: ScannedPage): RecordList {
  return { length: page.count, at: (index) => lineAt(page.ndjson, page.count, index) };
}

/** A page of NDJSON lines; `records` parses them on first use (tests, callers other than landing). */
function linesPage(lines: NdjsonLines, fields: PageFields): Page {
  let records: ApiRecord[] | undefined;
  return {
    ...fields,
    lines,
    get records() {
      records ??= lines.ndjson
        .toString('utf8')
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line) as ApiRecord);
      return records;
    },
  };
}

/** Where a page stands: its index in the stream, the position after it, and whether its walk ends. */
export interface PagePlace {
  index: number;
  next: Position | null;
  last: boolean;
}

/** The records of the window, the greatest cursor and the walk's end, as the caller gets them. */
export function toPage(
  plan: StreamPlan,
  fetched: Fetched,
  walk: Walk,
  filter: WindowFilter | undefined,
  place: PagePlace,
): Page {
  const { response } = fetched;
  const incremental = plan.stream.incremental;
  const cursor = plan.cursor && incremental ? { at: plan.cursor, type: incremental.cursorType } : undefined;
  const fields = { index: place.index, url: response.url, next: place.next };
  const { page, filteredOut, max } = fetched.scanned
    ? scannedPage(fetched.scanned, fields, cursor, filter)
    : parsedPage(finishRecords(plan, fetched.parsed ?? [], walk.parent, walk.vars), fields, cursor, filter);
  if (filteredOut > 0) page.filteredOut = filteredOut;
  // The walk's last page: an ignored answer cut it; otherwise (no next page, an empty page, a
  // documented "nothing here") the API said there is no more.
  if (place.last) page.end = response.noRecords === 'ignore' ? 'ignored' : 'api';
  if (cursor && max !== undefined) page.maxCursor = max;
  const total = plan.total?.(fetched.body);
  if (typeof total === 'number') page.total = total;
  return page;
}

/** A page's fields besides its records. */
type PageFields = Pick<Page, 'index' | 'url' | 'next'>;

/** An incremental stream's cursor: where it is in a record, and how to read it. */
interface Cursor {
  at: PathGetter;
  type: IncrementalDefinition['cursorType'];
}

interface Shaped {
  page: Page;
  filteredOut: number;
  max: string | undefined;
}

/** A scanned page: its NDJSON lines, those outside the window dropped (only if some may be). */
function scannedPage(
  scanned: ScannedPage,
  fields: PageFields,
  cursor: Cursor | undefined,
  filter: WindowFilter | undefined,
): Shaped {
  let lines: NdjsonLines = { ndjson: scanned.ndjson, count: scanned.count };
  let max = scanned.maxCursor;
  let filteredOut = 0;
  if (filter && cursor && !scannedInside(filter, scanned.maxCursor)) {
    const inside = filterLines(lines, cursor.at, cursor.type, filter);
    ({ lines } = inside);
    filteredOut = inside.removed;
    max = maxCursor(inside.kept, cursor.at, cursor.type);
  }
  return { page: linesPage(lines, fields), filteredOut, max };
}

/** A parsed page, its records finished: those outside the window dropped. */
function parsedPage(
  records: ApiRecord[],
  fields: PageFields,
  cursor: Cursor | undefined,
  filter: WindowFilter | undefined,
): Shaped {
  let filteredOut = 0;
  if (filter && cursor) {
    const inside = filterRecords(records, cursor.at, cursor.type, filter);
    ({ records } = inside);
    filteredOut = inside.removed;
  }
  const max = cursor ? maxCursor(records, cursor.at, cursor.type) : undefined;
  return { page: { records, ...fields }, filteredOut, max };
}
