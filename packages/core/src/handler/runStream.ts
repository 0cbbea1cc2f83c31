/**
 * One stream in one invocation: pages from the reader into the sink, overlapping the next fetch
 * with compression and upload; stops at a page boundary when told to (deadline), closing the part
 * and recording `Page.next`; on completion writes the manifest (all invocations' parts), removes
 * stale parts, then moves the watermark forward. On failure the open upload is aborted, parts this
 * invocation landed are removed (unless the run already has a manifest), and the error is rethrown.
 */
import type { GlueClient } from '@aws-sdk/client-glue';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SourceDefinition } from '../definition/schema.ts';
import { buildManifest, type Manifest } from '../manifest/Manifest.ts';
import type { StreamTelemetry } from '../observability/StreamTelemetry.ts';
import { deleteKeys, deleteStaleParts } from '../sink/deleteStaleParts.ts';
import { getJsonObject, putJsonObject } from '../sink/jsonObject.ts';
import { manifestKey, partKey, type RunLocation, runPrefix, s3Uri, stateKey } from '../sink/keys.ts';
import { readLandedRecords } from '../sink/readLandedRecords.ts';
import { SinkError } from '../sink/SinkError.ts';
import { StreamSink } from '../sink/StreamSink.ts';
import { advanceWatermark, isLater, readWatermark } from '../state/Watermark.ts';
import type { ApiRecord, Page, StreamReader, Window } from '../stream/types.ts';
import type { StreamProgress } from './continuation.ts';
import type { HandlerEnvironment } from './environment.ts';
import { registerRawPartition } from './registerRawPartition.ts';

export interface RunContext {
  definition: SourceDefinition;
  env: HandlerEnvironment;
  s3: S3Client;
  /** For the raw tables; used only when `GLUE_DATABASE` is set. */
  glue(): GlueClient;
  runId: string;
  importDate: string;
  reader: StreamReader;
  /** True when the invocation must stop at the next page boundary (deadline, or another stream failed). */
  shouldStop(): boolean;
  /** Resolves when the invocation must stop even in the middle of waiting for a page. */
  stopped: Promise<void>;
  /** Aborted with `stopped`: cancels requests in flight. */
  signal: AbortSignal;
  /** Called once a page has landed: the invocation has made progress. */
  onProgress(): void;
}

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
    s3: ctx.s3,
    bucket: ctx.env.bucket,
    location,
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
  const stop = ctx.stopped.then((): typeof STOP => STOP);

  let pending: Promise<IteratorResult<Page>> | undefined = it.next();
  pending.catch(noop);
  let last: Page | undefined;
  let stopped = false;
  let maxCursor = progress.maxCursor;
  try {
    while (pending) {
      const current = pending;
      let r: IteratorResult<Page> | typeof STOP;
      try {
        r = await Promise.race([current, stop]);
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
      const wait = sink.writePage(page.records);
      last = page;
      if (page.maxCursor && isLater(page.maxCursor, maxCursor)) maxCursor = page.maxCursor;
      telemetry.page({ page: progress.pages + telemetry.pages, records: page.records.length, url: page.url });
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
    await removeUnlisted(ctx, location, sink.touchedKeys).catch(noop);
    throw error;
  }
  if (stopped) it.return?.().catch(noop);

  // What this invocation landed joins what earlier invocations did.
  for (const p of sink.landed) progress.parts.push([p.records, p.bytes, p.sha256, p.ndjsonBytes]);
  telemetry.bytes = sink.landed.reduce((n, p) => n + p.bytes, 0);
  progress.records += telemetry.records;
  progress.pages += telemetry.pages;
  progress.bytes += telemetry.bytes;
  progress.maxCursor = maxCursor;
  if (last) progress.position = last.next;
  const finished = !stopped || (last !== undefined && last.next === null);
  if (!finished) return;
  await complete(ctx, stream, location, progress, telemetry);
}

async function complete(
  ctx: RunContext,
  stream: string,
  location: RunLocation,
  progress: StreamProgress,
  telemetry: StreamTelemetry,
): Promise<void> {
  const where = { source: ctx.definition.name, stream };
  const def = ctx.definition.streams[stream]!;
  const manifest = buildManifest({
    runId: ctx.runId,
    source: ctx.definition.name,
    stream,
    definition: def,
    importDate: ctx.importDate,
    parts: progress.parts.map(([records, bytes, sha256, ndjsonBytes], i) => ({
      key: partKey(location, i),
      records,
      bytes,
      sha256,
      ndjsonBytes,
    })),
    pages: progress.pages,
    startedAt: progress.startedAt!,
    finishedAt: new Date().toISOString(),
    window: progress.window,
    watermark: def.incremental ? progress.maxCursor : null,
  });
  const key = manifestKey(location);
  const { s3, env } = ctx;
  let watermark: string | null = null;
  try {
    await putJsonObject(s3, env.bucket, key, manifest);
    await deleteStaleParts(s3, env.bucket, runPrefix(location), new Set(manifest.parts.map((p) => p.key)));
    if (def.incremental) {
      const sk = stateKey(env.outputFolder, stream);
      watermark = progress.maxCursor
        ? await advanceWatermark(s3, env.bucket, sk, {
            watermark: progress.maxCursor,
            runId: ctx.runId,
            window: progress.window,
            importDate: ctx.importDate,
          })
        : ((await readWatermark(s3, env.bucket, sk))?.watermark ?? null);
    }
  } catch (e) {
    throw new SinkError(`cannot write the manifest or watermark of s3://${env.bucket}/${key}`, {
      cause: e,
      where,
    });
  }
  if (env.glueDatabase) {
    await registerRawPartition({
      glue: ctx.glue(),
      s3,
      database: env.glueDatabase,
      bucket: env.bucket,
      location,
      manifest,
      logger: telemetry.logger,
    });
  }
  progress.done = true;
  progress.parts = [];
  progress.position = null;
  progress.manifest = s3Uri(env.bucket, key);
  progress.watermark = watermark;
}

function locationOf(ctx: RunContext, stream: string): RunLocation {
  return { outputFolder: ctx.env.outputFolder, stream, importDate: ctx.importDate, runId: ctx.runId };
}

/** The parent's records of this run, streamed back from its landed parts (listed in its manifest). */
async function* parentRecords(ctx: RunContext, parent: string): AsyncGenerator<ApiRecord> {
  const key = manifestKey(locationOf(ctx, parent));
  const where = { source: ctx.definition.name, stream: parent };
  let manifest: Manifest | undefined;
  try {
    manifest = await getJsonObject<Manifest>(ctx.s3, ctx.env.bucket, key);
  } catch (e) {
    throw new SinkError(`cannot read the parent's manifest s3://${ctx.env.bucket}/${key}`, {
      cause: e,
      where,
    });
  }
  if (!manifest)
    throw new SinkError(`the parent's manifest s3://${ctx.env.bucket}/${key} is missing`, { where });
  yield* readLandedRecords(
    ctx.s3,
    ctx.env.bucket,
    manifest.parts.map((p) => p.key),
    where,
  );
}

/**
 * After a failure: parts this invocation landed are removed, unless the run already has a manifest
 * (a rerun of a completed run rewrites the same parts; that manifest may still list them).
 */
async function removeUnlisted(ctx: RunContext, location: RunLocation, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  try {
    await ctx.s3.send(new HeadObjectCommand({ Bucket: ctx.env.bucket, Key: manifestKey(location) }));
    return;
  } catch (e) {
    if ((e as { name?: string }).name !== 'NotFound') return;
  }
  await deleteKeys(ctx.s3, ctx.env.bucket, keys);
}
