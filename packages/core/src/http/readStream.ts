/**
 * Walks one stream page by page. A stream is one walk, or one per partition, or one per parent
 * record; each walk follows its paginator. Every page carries `next`, the position of the page after
 * it — `{ w: walk index, s: paginator state, n: pages read in the walk }` — so reading can stop after
 * any page and resume exactly there. The next page of a walk is fetched while the caller handles the
 * current one (one page of read-ahead) — or, when the paginator knows the pages to come (a total),
 * up to `rateLimit.concurrency` of them at once — and cancelled if the caller stops. Pages fetched
 * ahead but not yet emitted are simply read again after a resume.
 */
import { crc32 } from 'node:zlib';
import type { SourceDefinition } from '../definition/schema.ts';
import { type ErrorWhere, PaginationLoopError } from '../errors.ts';
import type { RecordList } from '../pagination/types.ts';
import type { ApiRecord, JsonValue, NdjsonLines, Page, ReadOptions } from '../stream/types.ts';
import type { TemplateValues } from '../template/template.ts';
import { finishRecords } from './finishRecords.ts';
import type { HttpClient } from './HttpClient.ts';
import { maxCursor } from './maxCursor.ts';
import { parseJson } from './parseJson.ts';
import type { Redactor } from './Redactor.ts';
import { lineAt, type ScannedPage, scanPage } from './scanRecords.ts';
import { selectRecords } from './selectRecords.ts';
import type { StreamPlan } from './streamPlan.ts';
import type { HttpResponse } from './types.ts';
import { type Position, parsePosition, walks } from './walks.ts';
import { filterLines, filterRecords, scannedInside, windowFilter } from './windowFilter.ts';

interface Fetched {
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
function scannedList(page: ScannedPage): RecordList {
  return { length: page.count, at: (index) => lineAt(page.ndjson, page.count, index) };
}

/** A page of NDJSON lines; `records` parses them on first use (tests, callers other than landing). */
function linesPage(lines: NdjsonLines, fields: Omit<Page, 'records' | 'lines'>): Page {
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

export interface ReadDeps {
  definition: SourceDefinition;
  client: HttpClient;
  redactor: Redactor;
  /** Credential query params to keep out of positions. */
  queryParams(): readonly string[];
}

export async function* readStream(
  plan: StreamPlan,
  options: ReadOptions,
  deps: ReadDeps,
): AsyncGenerator<Page> {
  const { definition, client, redactor } = deps;
  const source = definition.name;
  const from = parsePosition(options.from, source, plan.name);
  const incremental = plan.stream.incremental;
  const since =
    options.window.since ??
    (incremental?.initialSince !== undefined ? new Date(incremental.initialSince) : undefined);
  // The window bounds the requests do not carry are applied to the records (see windowFilter).
  const filter = incremental ? windowFilter(plan.bounded, since, options.window.until) : undefined;
  const internal = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
  const cleanUrl = (href: string) => {
    const params = deps.queryParams();
    if (!params.length) return href;
    const url = new URL(href);
    for (const name of params) url.searchParams.delete(name);
    return url.href;
  };
  let index = 0;

  const iterator = walks(plan, options, from?.w ?? 0)[Symbol.asyncIterator]();
  let upcoming = await iterator.next();
  try {
    while (!upcoming.done) {
      const walk = upcoming.value;
      const values: TemplateValues = { until: options.window.until, vars: walk.vars, parent: walk.parent };
      if (since) values.since = since;
      const base = plan.walk(values, { source, stream: plan.name });
      const resume = from && from.w === walk.index ? from : undefined;
      let state: JsonValue = resume ? resume.s : plan.paginator.start();
      let pagesInWalk = resume ? resume.n : 0;
      const seen = new Set<string>();
      // The last page's length and CRC-32, not its bytes: holding a body for one more page makes it
      // outlive a young-generation GC, and the bench saw such bodies drive full GCs.
      let previousBody: { length: number; crc: number } | undefined;

      const fetchPage = async (pageState: JsonValue, pageIndex: number): Promise<Fetched> => {
        const request = plan.paginator.request(pageState);
        const url = request.url !== undefined ? new URL(request.url) : new URL(base.url);
        if (request.params) for (const [k, v] of Object.entries(request.params)) url.searchParams.set(k, v);
        const response = await client.send(
          { method: 'GET', url, headers: base.headers },
          { stream: plan.name, page: pageIndex, signal, rules: plan.stream.responseRules },
        );
        const where: ErrorWhere = { source, stream: plan.name, page: pageIndex, url: response.url };
        if (plan.raw && !response.noRecords) {
          // From here on the body holds the page's NDJSON (rewritten in place).
          const scanned = scanPage(response.body, plan.raw, plan.stream.incremental?.cursorType);
          if (scanned)
            return { response, url, body: scanned.envelope, records: scannedList(scanned), scanned };
        }
        const body = parseJson(response, redactor, where);
        const records = response.noRecords
          ? []
          : selectRecords(body, plan.records, plan.stream.records, where);
        return { response, url, body, records, parsed: records };
      };

      // Pages fetched ahead, in order: the next page, or (a paginator with a known total) up to
      // `rateLimit.concurrency` of the pages after this one, in flight at once. Still emitted in
      // order, each still asked `next`: a fetched page that `next` does not lead to is dropped.
      let ahead: { key: string; fetched: Promise<Fetched> }[] = [];
      const depth = Math.max(1, definition.rateLimit.concurrency);
      for (;;) {
        const where: ErrorWhere = { source, stream: plan.name, page: index };
        const key = JSON.stringify(state);
        if (seen.has(key)) {
          throw new PaginationLoopError(`the API led back to a page already read (${redactor.redact(key)})`, {
            where,
          });
        }
        seen.add(key);
        if (pagesInWalk >= plan.stream.maxPages) {
          throw new PaginationLoopError(`more than maxPages (${plan.stream.maxPages}) pages in one walk`, {
            where,
          });
        }
        const head = ahead.shift();
        if (head && head.key !== key) ahead = [];
        const fetched = await (head?.key === key ? head.fetched : fetchPage(state, index));
        where.url = fetched.response.url;
        const { response, records } = fetched;
        const body = { length: response.body.length, crc: crc32(response.body) };
        if (
          previousBody &&
          records.length > 0 &&
          body.length === previousBody.length &&
          body.crc === previousBody.crc
        ) {
          throw new PaginationLoopError('the API returned the same page twice in a row', { where });
        }
        previousBody = body;
        let nextState: JsonValue | null = null;
        let wanted: JsonValue[] = [];
        if (!response.noRecords && records.length > 0) {
          const result = {
            body: fetched.body,
            records,
            headers: response.headers,
            url: fetched.url,
            cleanUrl,
          };
          nextState = plan.paginator.next(state, result);
          if (nextState !== null) {
            wanted = plan.paginator.known?.(state, result, depth) ?? [];
            if (JSON.stringify(wanted[0]) !== JSON.stringify(nextState)) wanted = [nextState];
          }
        }
        pagesInWalk++;
        let next: Position | null;
        if (nextState !== null) {
          next = { w: walk.index, s: nextState, n: pagesInWalk };
          for (let i = 0; i < wanted.length && pagesInWalk + i < plan.stream.maxPages; i++) {
            const wantedKey = JSON.stringify(wanted[i]);
            if (seen.has(wantedKey)) break;
            if (ahead[i]?.key === wantedKey) continue;
            ahead.length = i; // what `next` now leads to differs from what was fetched: dropped
            const fetchedAhead = fetchPage(wanted[i]!, index + 1 + i);
            fetchedAhead.catch(() => {}); // surfaced when awaited
            ahead.push({ key: wantedKey, fetched: fetchedAhead });
          }
        } else {
          ahead = [];
          // The walk's last page: look at the next walk now, so that the stream's last page says `null`.
          upcoming = await iterator.next();
          next = upcoming.done ? null : { w: upcoming.value.index, s: plan.paginator.start(), n: 0 };
        }
        const { scanned } = fetched;
        let page: Page;
        let max = scanned?.maxCursor;
        let filteredOut = 0;
        if (scanned) {
          let lines: NdjsonLines = { ndjson: scanned.ndjson, count: scanned.count };
          if (filter && plan.cursor && incremental && !scannedInside(filter, scanned.maxCursor)) {
            const inside = filterLines(lines, plan.cursor, incremental.cursorType, filter);
            ({ lines } = inside);
            filteredOut = inside.removed;
            max = maxCursor(inside.kept, plan.cursor, incremental.cursorType);
          }
          page = linesPage(lines, { index, url: response.url, next });
        } else {
          let records = finishRecords(plan, fetched.parsed ?? [], walk.parent, walk.vars);
          if (filter && plan.cursor && incremental) {
            const inside = filterRecords(records, plan.cursor, incremental.cursorType, filter);
            ({ records } = inside);
            filteredOut = inside.removed;
          }
          page = { records, index, url: response.url, next };
          if (plan.cursor && incremental) max = maxCursor(records, plan.cursor, incremental.cursorType);
        }
        if (filteredOut > 0) page.filteredOut = filteredOut;
        // The walk's last page: an ignored answer cut it; otherwise (no next page, an empty page, a
        // documented "nothing here") the API said there is no more.
        if (nextState === null) page.end = response.noRecords === 'ignore' ? 'ignored' : 'api';
        if (plan.cursor && incremental && max !== undefined) page.maxCursor = max;
        index++;
        yield page;
        if (nextState === null) break;
        state = nextState;
      }
    }
  } finally {
    internal.abort();
    await iterator.return?.(undefined);
  }
}
