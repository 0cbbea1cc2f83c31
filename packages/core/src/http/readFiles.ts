/**
 * A walk of a streamed (non-json) stream: each of its requests answers one file, read as it
 * arrives (`HttpClient.stream`, `decoding/fileRows.ts`) and handed on in pages of rows, never held
 * whole. A page's position says where it stands inside the file: `{ w, s, n, r }`, `s` the
 * paginator state that requested the file and `r` the rows of the file landed so far, up to and
 * including this page. A resume requests the same file again and drops its first `r` rows: the
 * same file gives the same rows, so nothing is landed twice or lost. The file's last page points at
 * the next file (the paginator's next state, from the headers, the URL and the file's row count;
 * body paths are a definition problem, `decoding/checkFileStream.ts`) or the next walk. A file is
 * requested as a JSON page is (`request/pageRequest.ts`: the stream's method, its rendered body with
 * the paginator's values set), so every ask for the same file sends the same request.
 */

import { fileRows } from '../decoding/fileRows.ts';
import { type ErrorWhere, EventValidationError, TransientError, TributaryError } from '../errors.ts';
import { pageRequest } from '../request/pageRequest.ts';
import { notRetried } from '../request/retrySafety.ts';
import { reasonOf } from './exchange.ts';
import type { LoopGuard, ReadContext, WalkBase } from './readStream.ts';
import type { ApiRecord, JsonValue, Page } from './readTypes.ts';
import { fullJitter } from './retry/backoff.ts';
import { sleep } from './retry/sleep.ts';
import { toPage } from './streamPage.ts';
import type { HttpResponse } from './types.ts';
import type { Position, Walk } from './walks.ts';

/** A position inside a file: `r` rows of the file landed. */
export type FilePosition = Position & { r?: number };

export interface FileWalk {
  walk: Walk;
  base: WalkBase;
  state: JsonValue;
  pagesInWalk: number;
  /** The position resumed from, in this walk. */
  resume: Position | undefined;
  guard: LoopGuard;
}

export async function* readFiles(ctx: ReadContext, start: FileWalk): AsyncGenerator<Page> {
  const { plan } = ctx;
  const source = ctx.deps.definition.name;
  let { state, pagesInWalk } = start;
  let skip = rowsLanded(start.resume, source, plan.name);
  for (;;) {
    const where: ErrorWhere = { source, stream: plan.name, page: ctx.index };
    start.guard.visit(state, pagesInWalk, where);
    const requested = await requestFile(ctx, start.base, state);
    const file: FileAt = { ...requested, base: start.base, state, n: pagesInWalk++ };
    const { held, count } = yield* fileBatches(ctx, start.walk, file, skip);
    const lastRecord = held.at(-1);
    const nextState =
      file.response.noRecords || count === 0
        ? null
        : plan.paginator.next(state, {
            body: {},
            records: { length: count, at: (i) => (i === -1 || i === count - 1 ? lastRecord : undefined) },
            headers: file.response.headers,
            url: file.url,
            cleanUrl: ctx.cleanUrl,
          });
    const next = nextState !== null ? { w: start.walk.index, s: nextState, n: pagesInWalk } : null;
    yield emit(ctx, start.walk, file, held, next, nextState === null);
    if (nextState === null) return;
    state = nextState;
    skip = 0;
  }
}

/** A file requested: its answer, URL, the paginator state that asked for it, and its index in the walk. */
interface FileAt {
  response: HttpResponse;
  url: URL;
  base: WalkBase;
  state: JsonValue;
  n: number;
}

/**
 * The file's pages but its last, each with its position inside the file; returns the last batch
 * (held back: only the file's end says what comes after it) and the rows of the file in all.
 */
async function* fileBatches(
  ctx: ReadContext,
  walk: Walk,
  file: FileAt,
  skip: number,
): AsyncGenerator<Page, { held: ApiRecord[]; count: number }> {
  let landed = skip;
  let held: ApiRecord[] = [];
  if (!file.response.stream) return { held, count: landed };
  for await (const batch of resilientRows(ctx, file, skip)) {
    if (held.length > 0) {
      const next: FilePosition = { w: walk.index, s: file.state, n: file.n, r: landed + held.length };
      landed += held.length;
      yield emit(ctx, walk, file, held, next, false);
    }
    held = batch;
  }
  return { held, count: landed + held.length };
}

/**
 * The file's rows from `skip` on, in batches. A body that breaks off (a reset, a truncated gzip, a
 * body silent for `timeouts.totalMs`) is asked for again, after a backoff, and read on from the rows
 * decoded so far, up to `retry.maxAttempts` failures: then a `TransientError`. A malformed row is
 * the file's own fault and not retried.
 */
async function* resilientRows(ctx: ReadContext, file: FileAt, skip: number): AsyncGenerator<ApiRecord[]> {
  const { plan, deps } = ctx;
  const { retry } = deps.definition;
  let response = file.response;
  let decoded = skip;
  for (let failures = 0; ; ) {
    const where = { source: deps.definition.name, stream: plan.name, url: response.url };
    try {
      const rows = fileRows({
        body: response.stream!,
        headers: response.headers,
        compression: plan.stream.compression,
        decode: plan.decode!,
        where,
        skip: decoded,
      });
      for await (const batch of rows) {
        decoded += batch.length;
        yield batch;
      }
      return;
    } catch (error) {
      ctx.signal.throwIfAborted();
      if (error instanceof TributaryError) throw error;
      const reason = reasonOf(error);
      const broke = `the file's body broke off (${reason}) after ${decoded} rows`;
      // Asking again sends the request again: a POST or PUT only when `retrySafe` (request/retrySafety.ts).
      const unsafe = notRetried(plan.request.retrySafe, plan.request.method, { reason: broke, where });
      if (unsafe) throw unsafe;
      if (++failures >= retry.maxAttempts) {
        throw new TransientError(`${broke}; gave up after ${failures} attempts`, {
          attempts: failures,
          reason,
          where,
          cause: error,
        });
      }
      await sleep(fullJitter(failures, retry.baseDelayMs, retry.maxDelayMs), ctx.signal);
      response = (await requestFile(ctx, file.base, file.state)).response;
      if (!response.stream)
        throw new TransientError(`${broke}; asked again, the API had no file`, {
          attempts: failures,
          reason,
          where,
        });
    }
  }
}

function emit(
  ctx: ReadContext,
  walk: Walk,
  { response, url }: FileAt,
  records: ApiRecord[],
  next: Position | null,
  last: boolean,
): Page {
  const fetched = { response, url, body: {}, records, parsed: records };
  return toPage(ctx.plan, fetched, walk, ctx.filter, { index: ctx.index, next, last });
}

/** The file's request: as a JSON page's (`request/pageRequest.ts`), the stream's method and body included. */
async function requestFile(
  ctx: ReadContext,
  base: WalkBase,
  state: JsonValue,
): Promise<{ response: HttpResponse; url: URL }> {
  const { plan } = ctx;
  const request = pageRequest(plan.request, base, plan.paginator.request(state));
  const response = await ctx.deps.client.stream(request, {
    stream: plan.name,
    page: ctx.index,
    signal: ctx.signal,
    rules: plan.stream.responseRules,
    retrySafe: plan.request.retrySafe,
  });
  return { response, url: request.url };
}

function rowsLanded(resume: Position | undefined, source: string, stream: string): number {
  const r = (resume as FilePosition | undefined)?.r ?? 0;
  if (Number.isInteger(r) && r >= 0) return r;
  throw new EventValidationError(`a position's rows landed (r) must be a count, got ${JSON.stringify(r)}`, {
    where: { source, stream },
  });
}
