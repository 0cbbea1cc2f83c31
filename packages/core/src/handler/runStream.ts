/**
 * One stream in one invocation: pages from the reader into the sink, overlapping the next fetch
 * with compression and upload; stops at a page boundary when told to (deadline), closing the part
 * and recording `Page.next`; on completion writes the manifest (all invocations' parts), removes
 * stale parts, then moves the watermark forward — only if every walk reached the API's own end
 * (`Page.end`). Parts land under keys of this invocation's attempt, so nothing a committed manifest
 * lists is ever overwritten. On any failure (a page, an upload, the manifest PUT, the watermark) the
 * open upload is aborted, the parts this invocation landed are removed unless the committed manifest
 * lists them, and the error is rethrown.
 *
 * The steps: `openSink` and `openPages`, then `landPages` (each wait for a page answers a `NextPage`:
 * a page, the end, or stop), then `recordLanded` into the stream's progress, then `completeStream`
 * once the walk reached its end. Rejections that are deliberately not acted on go through
 * `ignoreRejection`, which says why.
 */
import { jobHandle } from '../job/jobHandle.ts';
import type { StreamTelemetry } from '../observability/StreamTelemetry.ts';
import type { RunLocation } from '../sink/keys.ts';
import { StreamSink } from '../sink/StreamSink.ts';
import { isLater } from '../state/Watermark.ts';
import type { JobHandle, Page, Window } from '../stream/types.ts';
import { completeStream } from './completeStream.ts';
import type { StreamProgress } from './continuation.ts';
import { parentRecords } from './parentRecords.ts';
import { openParentState, type ParentTracker } from './parentState.ts';
import { locationOf, type RunContext } from './RunContext.ts';
import { removeUncommitted } from './removeUncommitted.ts';
import { windowSteps } from './windowSteps.ts';

export type { RunContext } from './RunContext.ts';

type Pages = AsyncIterator<Page>;

/** What waiting for the next page gave: a page to land, the walk's end, or the invocation's stop. */
type NextPage = { kind: 'page'; page: Page } | { kind: 'end' } | { kind: 'stop' };

/** What the walk saw in this invocation, beyond what the sink and the telemetry count. */
interface WalkState {
  /** Where the last landed page said to go on; not the page itself, so its records die young. */
  lastNext: Page['next'] | undefined;
  /** The walk stopped at a page boundary (deadline, or another stream failed), not at its end. */
  stopped: boolean;
  maxCursor: string | null;
  /** A walk ended before the API said it was the end: the watermark must not move. */
  cutShort: boolean;
  /** ➕ A window-stepped stream: the start of the first slice a walk was cut short in. */
  cutAt: string | null;
  filteredOut: number;
}

export async function runStream(
  ctx: RunContext,
  stream: string,
  progress: StreamProgress,
  telemetry: StreamTelemetry,
): Promise<void> {
  const location = locationOf(ctx, stream);
  progress.startedAt ??= new Date().toISOString();
  const parents = await openParentState(ctx, stream, progress);
  const sink = openSink(ctx, stream, location, progress);
  const job = ctx.definition.streams[stream]!.job ? jobHandle(ctx, progress) : undefined;
  const pages = openPages(ctx, stream, progress, parents, job);
  const walk: WalkState = {
    lastNext: undefined,
    stopped: false,
    maxCursor: progress.maxCursor,
    cutShort: progress.cutShort,
    cutAt: progress.cutAt,
    filteredOut: 0,
  };
  try {
    await landPages(ctx, pages, sink, walk, (page, records) => {
      parents?.note(page);
      telemetry.page({ page: progress.pages + telemetry.pages, records, url: page.url });
    });
    await sink.flush();
  } catch (error) {
    ignoreRejection(pages.return?.());
    await ignoreRejection(sink.abort());
    await ignoreRejection(removeUncommitted(ctx, location, sink.touchedKeys));
    throw error;
  }
  if (walk.stopped) ignoreRejection(pages.return?.());
  recordLanded(ctx, progress, sink, walk, telemetry);
  const finished = !walk.stopped || walk.lastNext === null;
  try {
    if (finished) await completeStream(ctx, stream, location, progress, telemetry, parents);
    else await parents?.checkpoint(progress);
  } catch (error) {
    // E.g. the manifest PUT (or ➕ a parent checkpoint's) failed: this invocation's parts are
    // listed by no committed manifest, nor by a continuation.
    await ignoreRejection(
      removeUncommitted(
        ctx,
        location,
        sink.landed.map((p) => p.key),
      ),
    );
    throw error;
  }
  if (finished) await job?.committed();
}

function openSink(
  ctx: RunContext,
  stream: string,
  location: RunLocation,
  progress: StreamProgress,
): StreamSink {
  return new StreamSink({
    storage: ctx.storage,
    location,
    attempt: ctx.attempt,
    partSizeBytes: ctx.definition.runtime.partSizeBytes,
    firstPartIndex: progress.parts.length,
    where: { source: ctx.definition.name, stream },
  });
}

/** The reader's pages of this stream, from where the progress left off, within its window. */
function openPages(
  ctx: RunContext,
  stream: string,
  progress: StreamProgress,
  tracker: ParentTracker | undefined,
  job?: JobHandle,
): Pages {
  const window: Window = {
    since: progress.window.since ? new Date(progress.window.since) : undefined,
    until: new Date(progress.window.until),
  };
  const def = ctx.definition.streams[stream]!;
  const parentStream = def.parent?.stream;
  const parents = parentStream ? () => parentRecords(ctx, parentStream) : undefined;
  const options = {
    window,
    from: progress.position ?? undefined,
    parents,
    ...(tracker && { parentSince: tracker.sinceOf }),
    signal: ctx.signal,
    ...(job && { job }),
  };
  const pages = def.window
    ? windowSteps(ctx.reader, stream, def.window, options, ctx.definition.name)
    : ctx.reader(stream, options);
  return pages[Symbol.asyncIterator]();
}

/**
 * Lands pages until the walk ends or the invocation stops (`walk.stopped`), fetching the next page
 * while the current one is compressed and uploaded. Throws the first failure (a page, an upload).
 */
async function landPages(
  ctx: RunContext,
  pages: Pages,
  sink: StreamSink,
  walk: WalkState,
  onPage: (page: Page, records: number) => void,
): Promise<void> {
  let pending: Promise<IteratorResult<Page>> | undefined = readAhead(pages);
  while (pending) {
    const next = await nextPage(ctx, pending);
    pending = undefined;
    if (next.kind === 'stop') walk.stopped = true;
    if (next.kind !== 'page') return;
    const { page } = next;
    // Read `lines` first: on a scanned page, `records` would parse them.
    const records = page.lines ? page.lines.count : page.records.length;
    const wait = page.lines ? sink.writeLines(page.lines) : sink.writePage(page.records);
    notePage(walk, page);
    onPage(page, records);
    ctx.onProgress();
    if (page.next !== null && ctx.shouldStop()) walk.stopped = true;
    else pending = readAhead(pages);
    if (wait) await wait;
  }
}

/** What a landed page says about the walk. */
function notePage(walk: WalkState, page: Page): void {
  walk.lastNext = page.next;
  // The watermark relies on this: every walk ended because the API said so. A walk's last page
  // says why it ended; the stream's last page must say it (a reader that does not is no proof).
  if ((page.end !== undefined || page.next === null) && page.end !== 'api') {
    walk.cutShort = true;
    walk.cutAt ??= page.slice?.since ?? null;
  }
  walk.filteredOut += page.filteredOut ?? 0;
  if (page.maxCursor && isLater(page.maxCursor, walk.maxCursor)) walk.maxCursor = page.maxCursor;
}

/** Asks for the next page now; its failure surfaces when it is awaited (`nextPage`). */
function readAhead(pages: Pages): Promise<IteratorResult<Page>> {
  const pending = pages.next();
  ignoreRejection(pending);
  return pending;
}

/** Waits for the page in flight, or for the stop — but stops only once the invocation made progress. */
async function nextPage(ctx: RunContext, pending: Promise<IteratorResult<Page>>): Promise<NextPage> {
  try {
    const next = await untilStopped(pending, ctx.signal);
    // Stop only once the invocation has made progress, so that a run always moves forward.
    if (next.kind === 'stop' && !ctx.shouldStop()) return asNextPage(await pending);
    return next;
  } catch (error) {
    // The page in flight was cancelled by the stop (deadline, or another stream failed): it was
    // not landed, and is read again on resume.
    if (!ctx.signal.aborted) throw error;
    return { kind: 'stop' };
  }
}

function asNextPage(result: IteratorResult<Page>): NextPage {
  return result.done ? { kind: 'end' } : { kind: 'page', page: result.value };
}

/** What this invocation landed joins what earlier invocations did. */
function recordLanded(
  ctx: RunContext,
  progress: StreamProgress,
  sink: StreamSink,
  walk: WalkState,
  telemetry: StreamTelemetry,
): void {
  for (const p of sink.landed)
    progress.parts.push([p.records, p.bytes, p.sha256, p.ndjsonBytes, ctx.attempt]);
  telemetry.bytes = sink.landed.reduce((n, p) => n + p.bytes, 0);
  progress.records += telemetry.records;
  progress.pages += telemetry.pages;
  progress.bytes += telemetry.bytes;
  progress.maxCursor = walk.maxCursor;
  progress.cutShort = walk.cutShort;
  progress.cutAt = walk.cutAt;
  progress.filteredOut += walk.filteredOut;
  telemetry.filteredOut = walk.filteredOut;
  if (walk.lastNext !== undefined) progress.position = walk.lastNext;
}

/**
 * The page, or `stop` once the invocation is told to stop. Not `Promise.race` against a promise that
 * settles only at the deadline: each race would stay subscribed to it, keeping every page's records
 * reachable until the stream ends (memory growing with the data; found by the bench).
 */
function untilStopped(pending: Promise<IteratorResult<Page>>, signal: AbortSignal): Promise<NextPage> {
  if (signal.aborted) return Promise.resolve({ kind: 'stop' });
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve({ kind: 'stop' });
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(asNextPage(result));
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The one place this module drops a rejection on purpose; each use is safe for its own reason:
 * - a read-ahead page (`readAhead`): marked handled so that its failure does not count as an
 *   unhandled rejection (which ends the process) while the page before it uploads. The page itself
 *   is still awaited, and its error thrown, when its turn comes — unless the stream stops or fails
 *   first: then it is never landed, and a resume reads it again.
 * - closing the reader (`return()`) after a stop or a failure: the walk is over either way.
 * - the clean-up after a failure (aborting the open upload, removing this invocation's uncommitted
 *   parts): the stream's own error is the one to throw; a part left behind is listed by no
 *   manifest, so readers never see it, and the run's next commit removes it (`deleteStaleParts`).
 * The returned promise never rejects: await it to wait for the clean-up, or drop it.
 */
function ignoreRejection(promise: Promise<unknown> | undefined): Promise<void> {
  return Promise.resolve(promise).then(
    () => undefined,
    () => undefined,
  );
}
