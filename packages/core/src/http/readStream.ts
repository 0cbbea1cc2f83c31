/**
 * Walks one stream page by page. A stream is one walk, or one per partition, or one per parent
 * record; each walk follows its paginator. ➕ Up to `rateLimit.concurrency` walks run at once (a
 * streamed file stream's, one at a time), their pages handed on as they arrive. Every page carries
 * `next`, the position after it — `{ w, s, n }` of the first walk in flight (walk index, paginator
 * state of its next page, pages read in it), ➕ `a`: the other walks in flight, the same way, and
 * `t`: the next walk to start when it is not the one after the last in flight (walks.ts `StreamAt`)
 * — so reading can stop after any page and resume exactly there, every walk in flight at its own
 * page. The next page of a walk is fetched while the caller handles the current one (one page of
 * read-ahead) — or, when the paginator knows the pages to come (a total), up to
 * `rateLimit.concurrency` of them at once — and cancelled if the caller stops. Pages fetched ahead
 * but not yet emitted are simply read again after a resume.
 */
import { crc32 } from 'node:zlib';
import type { SourceDefinition } from '../definition/schema.ts';
import type { TemplateValues } from '../definition/template/template.ts';
import { type ErrorWhere, PaginationLoopError } from '../errors.ts';
import { pageRequest } from '../request/pageRequest.ts';
import type { HttpClient } from './HttpClient.ts';
import { parseJson } from './parseJson.ts';
import type { Redactor } from './Redactor.ts';
import { readFiles } from './readFiles.ts';
import type { JsonValue, Page, ReadOptions } from './readTypes.ts';
import { scanPage } from './scanRecords.ts';
import { selectRecords } from './selectRecords.ts';
import { type Fetched, scannedList, toPage } from './streamPage.ts';
import type { StreamPlan } from './streamPlan.ts';
import { type Position, parsePosition, type Resume, type Walk, walks } from './walks.ts';
import { walksAtOnce } from './walksAtOnce.ts';
import { type WindowFilter, windowFilter } from './windowFilter.ts';

export interface ReadDeps {
  definition: SourceDefinition;
  client: HttpClient;
  redactor: Redactor;
  /** Credential query params to keep out of positions. */
  queryParams(): readonly string[];
}

/** What every walk of one read shares. */
export interface ReadContext {
  plan: StreamPlan;
  options: ReadOptions;
  deps: ReadDeps;
  /** Where the walks stood when the stream was resumed. */
  from: Resume | undefined;
  since: Date | undefined;
  /** The window bounds the requests do not carry, applied to the records (see windowFilter). */
  filter: WindowFilter | undefined;
  signal: AbortSignal;
  /** Pages a paginator with a known total may have in flight at once. */
  depth: number;
  /** The stream's page count so far: the next page's index. */
  index: number;
  cleanUrl(href: string): string;
}

/** A walk's first request, rendered once. */
export type WalkBase = ReturnType<StreamPlan['walk']>;

/** A page fetched ahead of the one being handled, by its paginator state. */
interface Ahead {
  key: string;
  fetched: Promise<Fetched>;
}

export async function* readStream(
  plan: StreamPlan,
  options: ReadOptions,
  deps: ReadDeps,
): AsyncGenerator<Page> {
  const internal = new AbortController();
  const ctx = readContext(plan, options, deps, internal.signal);
  yield* walksAtOnce({
    walks: walks(plan, options, ctx.from?.inFlight[0]?.w ?? 0),
    resume: ctx.from,
    // ➕ A streamed file's walks, one at a time; any other stream's, up to `rateLimit.concurrency`.
    width: plan.decode ? 1 : ctx.depth,
    read: (walk, at) => readWalk(ctx, walk, at),
    startOf: (walk) => ({ w: walk.index, s: plan.paginator.start(), n: 0 }),
    nextIndex: () => ctx.index++,
    abort: internal,
  });
}

function readContext(
  plan: StreamPlan,
  options: ReadOptions,
  deps: ReadDeps,
  internal: AbortSignal,
): ReadContext {
  const incremental = plan.stream.incremental;
  const since = readSince(plan, options);
  return {
    plan,
    options,
    deps,
    from: parsePosition(options.from, deps.definition.name, plan.name),
    since,
    filter: incremental ? windowFilter(plan.bounded, since, options.window.until) : undefined,
    signal: options.signal ? AbortSignal.any([options.signal, internal]) : internal,
    depth: Math.max(1, deps.definition.rateLimit.concurrency),
    index: 0,
    cleanUrl: (href) => {
      const params = deps.queryParams();
      if (!params.length) return href;
      const url = new URL(href);
      for (const name of params) url.searchParams.delete(name);
      return url.href;
    },
  };
}

/** Where a read starts: the window's `since`, else `incremental.initialSince` (a first run), else nowhere. */
export function readSince(plan: StreamPlan, options: ReadOptions): Date | undefined {
  const initial = plan.stream.incremental?.initialSince;
  return options.window.since ?? (initial !== undefined ? new Date(initial) : undefined);
}

/** The window filter of a walk that reads from its own `since`. */
function windowFilterOf(ctx: ReadContext, since: Date | undefined): WindowFilter | undefined {
  return ctx.plan.stream.incremental
    ? windowFilter(ctx.plan.bounded, since, ctx.options.window.until)
    : undefined;
}

/** One walk, page by page from its start (or the position resumed), each page fetched ahead. */
async function* readWalk(ctx: ReadContext, walk: Walk, resume: Position | undefined): AsyncGenerator<Page> {
  const { plan, options } = ctx;
  const source = ctx.deps.definition.name;
  const values: TemplateValues = { until: options.window.until, vars: walk.vars, parent: walk.parent };
  // ➕ A child with state per parent reads each parent from its own watermark (run/parentState.ts).
  const own = options.parentSince && walk.key !== undefined;
  const since = own ? options.parentSince!(walk.key!) : ctx.since;
  if (since) values.since = since;
  const filter = own ? windowFilterOf(ctx, since) : ctx.filter;
  const base = plan.walk(values, { source, stream: plan.name });
  let state: JsonValue = resume ? resume.s : plan.paginator.start();
  let pagesInWalk = resume ? resume.n : 0;
  const guard = new LoopGuard(ctx);
  // A streamed file kind (csv, jsonl): a walk of files, read as they arrive (readFiles.ts).
  if (plan.decode) return yield* readFiles(ctx, { walk, base, state, pagesInWalk, resume, guard });
  // Pages fetched ahead, in order: the next page, or (a paginator with a known total) up to
  // `rateLimit.concurrency` of the pages after this one, in flight at once. Still emitted in
  // order, each still asked `next`: a fetched page that `next` does not lead to is dropped.
  const ahead: Ahead[] = [];
  for (;;) {
    const where: ErrorWhere = { source, stream: plan.name, page: ctx.index };
    const key = guard.visit(state, pagesInWalk, where);
    const head = ahead.shift();
    if (head && head.key !== key) ahead.length = 0;
    const fetched = await (head?.key === key ? head.fetched : fetchPage(ctx, base, state, ctx.index));
    where.url = fetched.response.url;
    guard.notRepeated(fetched, where);
    const { nextState, wanted } = nextOf(ctx, state, fetched);
    pagesInWalk++;
    let next: Position | null;
    if (nextState !== null) {
      next = { w: walk.index, s: nextState, n: pagesInWalk };
      fetchAhead(ctx, base, ahead, wanted, guard, pagesInWalk);
    } else {
      ahead.length = 0;
      next = null; // the walk's end; the stream's position is the reader's (readStream)
    }
    const page = toPage(plan, fetched, walk, filter, {
      index: ctx.index,
      next,
      last: nextState === null,
    });
    if (own) page.parentKey = walk.key;
    yield page;
    if (nextState === null) return;
    state = nextState;
  }
}

/** A page's request, answer, and records: scanned as the API's bytes where the plan allows, else parsed. */
async function fetchPage(
  ctx: ReadContext,
  base: WalkBase,
  pageState: JsonValue,
  pageIndex: number,
): Promise<Fetched> {
  const { plan, deps } = ctx;
  const request = pageRequest(plan.request, base, plan.paginator.request(pageState));
  const { url } = request;
  const response = await deps.client.send(request, {
    stream: plan.name,
    page: pageIndex,
    signal: ctx.signal,
    rules: plan.stream.responseRules,
    retrySafe: plan.request.retrySafe,
  });
  const where: ErrorWhere = {
    source: deps.definition.name,
    stream: plan.name,
    page: pageIndex,
    url: response.url,
  };
  if (plan.raw && !response.noRecords) {
    // From here on the body holds the page's NDJSON (rewritten in place).
    const scanned = scanPage(response.body, plan.raw, plan.stream.incremental?.cursorType);
    if (scanned) return { response, url, body: scanned.envelope, records: scannedList(scanned), scanned };
  }
  const body = parseJson(response, deps.redactor, where);
  const records = response.noRecords ? [] : selectRecords(body, plan.records, plan.stream.records, where);
  return { response, url, body, records, parsed: records };
}

/**
 * The paginator's next state after a page (`null`: the walk ends), and the states it knows to come
 * (a known total), the first of them the next one; else just the next one.
 */
function nextOf(
  ctx: ReadContext,
  state: JsonValue,
  fetched: Fetched,
): { nextState: JsonValue | null; wanted: JsonValue[] } {
  const { response, records } = fetched;
  const { paginator } = ctx.plan;
  if (response.noRecords || records.length === 0) return { nextState: null, wanted: [] };
  const result = {
    body: fetched.body,
    records,
    headers: response.headers,
    url: fetched.url,
    cleanUrl: ctx.cleanUrl,
  };
  const nextState = paginator.next(state, result);
  if (nextState === null) return { nextState, wanted: [] };
  let wanted = paginator.known?.(state, result, ctx.depth) ?? [];
  if (JSON.stringify(wanted[0]) !== JSON.stringify(nextState)) wanted = [nextState];
  return { nextState, wanted };
}

/** Starts fetching the wanted pages not in flight yet; what `next` no longer leads to is dropped. */
function fetchAhead(
  ctx: ReadContext,
  base: WalkBase,
  ahead: Ahead[],
  wanted: readonly JsonValue[],
  guard: LoopGuard,
  pagesInWalk: number,
): void {
  for (let i = 0; i < wanted.length && pagesInWalk + i < ctx.plan.stream.maxPages; i++) {
    const wantedKey = JSON.stringify(wanted[i]);
    if (guard.visited(wantedKey)) break;
    if (ahead[i]?.key === wantedKey) continue;
    ahead.length = i; // what `next` now leads to differs from what was fetched: dropped
    const fetchedAhead = fetchPage(ctx, base, wanted[i]!, ctx.index + 1 + i);
    fetchedAhead.catch(() => {}); // surfaced when awaited
    ahead.push({ key: wantedKey, fetched: fetchedAhead });
  }
}

/**
 * A walk's loop detection: a paginator state read before, more than `maxPages` pages, or the same
 * page twice in a row. Of the last page it keeps the length and CRC-32, not the bytes: holding a
 * body for one more page makes it outlive a young-generation GC, and the bench saw such bodies
 * drive full GCs.
 */
export class LoopGuard {
  readonly #ctx: ReadContext;
  readonly #seen = new Set<string>();
  #previous: { length: number; crc: number } | undefined;

  constructor(ctx: ReadContext) {
    this.#ctx = ctx;
  }

  visited(key: string): boolean {
    return this.#seen.has(key);
  }

  /** Notes the state about to be read; its key. */
  visit(state: JsonValue, pagesInWalk: number, where: ErrorWhere): string {
    const { redactor } = this.#ctx.deps;
    const { maxPages } = this.#ctx.plan.stream;
    const key = JSON.stringify(state);
    if (this.#seen.has(key)) {
      throw new PaginationLoopError(`the API led back to a page already read (${redactor.redact(key)})`, {
        where,
      });
    }
    this.#seen.add(key);
    if (pagesInWalk >= maxPages) {
      throw new PaginationLoopError(`more than maxPages (${maxPages}) pages in one walk`, { where });
    }
    return key;
  }

  notRepeated({ response, records }: Fetched, where: ErrorWhere): void {
    const body = { length: response.body.length, crc: crc32(response.body) };
    const previous = this.#previous;
    if (previous && records.length > 0 && body.length === previous.length && body.crc === previous.crc) {
      throw new PaginationLoopError('the API returned the same page twice in a row', { where });
    }
    this.#previous = body;
  }
}
