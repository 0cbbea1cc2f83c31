/**
 * One stream in one invocation: pages from the reader into the sink, overlapping the next fetch
 * with compression and upload; stops at a page boundary when told to (deadline), closing the part
 * and recording `Page.next`; on completion writes the manifest (all invocations' parts), removes
 * stale parts, then moves the watermark forward — only if every walk reached the API's own end
 * (`Page.end`). Parts land under keys of this invocation's attempt, so nothing a committed manifest
 * lists is ever overwritten. On any failure (a page, an upload, the manifest PUT, the watermark) the
 * open upload is aborted, the parts this invocation landed are removed unless the committed manifest
 * lists them, and the error is rethrown.
 */
import type { StreamTelemetry } from '../observability/StreamTelemetry.ts';
import { StreamSink } from '../sink/StreamSink.ts';
import { isLater } from '../state/Watermark.ts';
import type { Page, Window } from '../stream/types.ts';
import { completeStream } from './completeStream.ts';
import type { StreamProgress } from './continuation.ts';
import { parentRecords } from './parentRecords.ts';
import { locationOf, type RunContext } from './RunContext.ts';
import { removeUncommitted } from './removeUncommitted.ts';

export type { RunContext } from './RunContext.ts';

const STOP: unique symbol = Symbol('stop');
const noop = () => undefined;

export async function runStream(
  ctx: RunContext,
  stream: string,
  progress: StreamProgress,
  telemetry: StreamTelemetry,
): Promise<void> {
  const def = ctx.definition.streams[stream]!;
  const where = { source: ctx.definition.name, stream };
  const location = locationOf(ctx, stream);
  progress.startedAt ??= new Date().toISOString();
  const sink = new StreamSink({
    storage: ctx.storage,
    location,
    attempt: ctx.attempt,
    partSizeBytes: ctx.definition.runtime.partSizeBytes,
    firstPartIndex: progress.parts.length,
    where,
  });
  const window: Window = {
    since: progress.window.since ? new Date(progress.window.since) : undefined,
    until: new Date(progress.window.until),
  };
  const parentStream = def.parent?.stream;
  const parents = parentStream ? () => parentRecords(ctx, parentStream) : undefined;
  const pages = ctx.reader(stream, {
    window,
    from: progress.position ?? undefined,
    parents,
    signal: ctx.signal,
  });
  const it = pages[Symbol.asyncIterator]();

  let pending: Promise<IteratorResult<Page>> | undefined = it.next();
  pending.catch(noop);
  // Where the last landed page said to go on; not the page itself, so its records die young.
  let lastNext: Page['next'] | undefined;
  let stopped = false;
  let maxCursor = progress.maxCursor;
  let cutShort = progress.cutShort;
  let filteredOut = 0;
  try {
    while (pending) {
      const current = pending;
      let r: IteratorResult<Page> | typeof STOP;
      try {
        r = await untilStopped(current, ctx.signal);
        // Stop only once the invocation has made progress, so that a run always moves forward.
        if (r === STOP && !ctx.shouldStop()) r = await current;
      } catch (error) {
        // The page in flight was cancelled by the stop (deadline, or another stream failed): it was
        // not landed, and is read again on resume.
        if (!ctx.signal.aborted) throw error;
        r = STOP;
      }
      pending = undefined;
      if (r === STOP) {
        current.catch(noop);
        stopped = true;
        break;
      }
      if (r.done) break;
      const page = r.value;
      // Read `lines` first: on a scanned page, `records` would parse them.
      const count = page.lines ? page.lines.count : page.records.length;
      const wait = page.lines ? sink.writeLines(page.lines) : sink.writePage(page.records);
      lastNext = page.next;
      // The watermark relies on this: every walk ended because the API said so. A walk's last page
      // says why it ended; the stream's last page must say it (a reader that does not is no proof).
      if ((page.end !== undefined || page.next === null) && page.end !== 'api') cutShort = true;
      filteredOut += page.filteredOut ?? 0;
      if (page.maxCursor && isLater(page.maxCursor, maxCursor)) maxCursor = page.maxCursor;
      telemetry.page({ page: progress.pages + telemetry.pages, records: count, url: page.url });
      ctx.onProgress();
      if (page.next !== null && ctx.shouldStop()) stopped = true;
      else {
        // Fetch the next page while this one is compressed and uploaded; its failure surfaces when awaited.
        pending = it.next();
        pending.catch(noop);
      }
      if (wait) await wait;
    }
    await sink.flush();
  } catch (error) {
    pending?.catch(noop);
    it.return?.().catch(noop);
    await sink.abort().catch(noop);
    await removeUncommitted(ctx, location, sink.touchedKeys).catch(noop);
    throw error;
  }
  if (stopped) it.return?.().catch(noop);

  // What this invocation landed joins what earlier invocations did.
  for (const p of sink.landed)
    progress.parts.push([p.records, p.bytes, p.sha256, p.ndjsonBytes, ctx.attempt]);
  telemetry.bytes = sink.landed.reduce((n, p) => n + p.bytes, 0);
  progress.records += telemetry.records;
  progress.pages += telemetry.pages;
  progress.bytes += telemetry.bytes;
  progress.maxCursor = maxCursor;
  progress.cutShort = cutShort;
  progress.filteredOut += filteredOut;
  telemetry.filteredOut = filteredOut;
  if (lastNext !== undefined) progress.position = lastNext;
  const finished = !stopped || lastNext === null;
  if (!finished) return;
  try {
    await completeStream(ctx, stream, location, progress, telemetry);
  } catch (error) {
    // E.g. the manifest PUT failed: this invocation's parts are listed by no committed manifest.
    await removeUncommitted(
      ctx,
      location,
      sink.landed.map((p) => p.key),
    ).catch(noop);
    throw error;
  }
}

/**
 * The page, or STOP once the invocation is told to stop. Not `Promise.race` against a promise that
 * settles only at the deadline: each race would stay subscribed to it, keeping every page's records
 * reachable until the stream ends (memory growing with the data; found by the bench).
 */
function untilStopped<T>(page: Promise<T>, signal: AbortSignal): Promise<T | typeof STOP> {
  if (signal.aborted) return Promise.resolve(STOP);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(STOP);
    signal.addEventListener('abort', onAbort, { once: true });
    page.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
