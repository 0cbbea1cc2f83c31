/**
 * A stream whose pages have all landed: the manifest (every invocation's parts) is written — the
 * commit point — then the parts of the run's prefix it does not list (an earlier attempt's) are
 * removed, then the watermark moves forward (incremental streams whose every walk reached the API's
 * own end, see `Page.end`), then the raw table gets the run's partition (with `GLUE_DATABASE`). If
 * this throws, the caller removes the parts its invocation landed unless the manifest lists them
 * (see runStream).
 */
import { buildManifest, type Manifest } from '../manifest/Manifest.ts';
import type { StreamTelemetry } from '../observability/StreamTelemetry.ts';
import { deleteStaleParts } from '../sink/deleteStaleParts.ts';
import { manifestKey, partKey, type RunLocation, runPrefix } from '../sink/keys.ts';
import type { StreamProgress } from './continuation.ts';
import { commitParentState, type ParentTracker } from './parentState.ts';
import type { RunContext } from './RunContext.ts';
import { registerRawPartition } from './registerRawPartition.ts';
import { settleWatermark } from './settleWatermark.ts';

export async function completeStream(
  ctx: RunContext,
  stream: string,
  location: RunLocation,
  progress: StreamProgress,
  telemetry: StreamTelemetry,
  parents?: ParentTracker,
): Promise<void> {
  const where = { source: ctx.definition.name, stream };
  const def = ctx.definition.streams[stream]!;
  const manifest = manifestOf(ctx, stream, location, progress);
  const warnings = warnIncremental(def.incremental?.cursorField, progress, telemetry);
  const key = manifestKey(location);
  const { storage, env } = ctx;
  let watermark: string | null = null;
  try {
    await storage.writeManifest(key, manifest);
    await deleteStaleParts(storage, runPrefix(location), new Set(manifest.parts.map((p) => p.key)));
    // The watermark invariants (settleWatermark): it never passes unread data.
    if (parents) watermark = await commitParentState(ctx, stream, progress, parents);
    else if (def.incremental) watermark = await settleWatermark(ctx, stream, progress);
  } catch (e) {
    throw storage.failure('cannot write the manifest or watermark of', key, e, where);
  }
  if (env.glueDatabase) {
    await registerRawPartition({
      glue: ctx.glue(),
      storage,
      database: env.glueDatabase,
      bucket: env.bucket,
      location,
      manifest,
      logger: telemetry.logger,
    });
  }
  progress.warnings.push(...warnings.map(([, message]) => message));
  progress.done = true;
  progress.parts = [];
  progress.position = null;
  progress.manifest = storage.uri(key);
  progress.watermark = watermark;
}

/** Logs and counts `incrementalWarnings` (none for a stream that is not incremental); returns them. */
function warnIncremental(
  cursorField: string | undefined,
  progress: StreamProgress,
  telemetry: StreamTelemetry,
): [string, string][] {
  const warnings = cursorField ? incrementalWarnings(cursorField, progress) : [];
  for (const [metric, message] of warnings) {
    telemetry.warn(metric, message, {
      cursorField,
      records: progress.records,
      maxCursor: progress.maxCursor,
    });
  }
  return warnings;
}

/** What an incremental stream's operator should know: `[metric, message]` pairs. */
function incrementalWarnings(cursorField: string, progress: StreamProgress): [string, string][] {
  const warnings: [string, string][] = [];
  if (progress.cutShort) {
    warnings.push([
      'walkCutShort',
      'a walk ended before the API said it was the end (a response rule said ignore): the watermark was not moved',
    ]);
  }
  if (progress.records > 0 && !progress.maxCursor) {
    warnings.push([
      'cursorFieldMissing',
      `cursor field "${cursorField}" has no readable value in any of the ${progress.records} records landed: the watermark cannot move (check incremental.cursorField)`,
    ]);
  }
  return warnings;
}

/** The manifest of the stream's run: every invocation's parts. */
function manifestOf(
  ctx: RunContext,
  stream: string,
  location: RunLocation,
  progress: StreamProgress,
): Manifest {
  const def = ctx.definition.streams[stream]!;
  return buildManifest({
    runId: ctx.runId,
    source: ctx.definition.name,
    stream,
    definition: def,
    importDate: ctx.importDate,
    parts: progress.parts.map(([records, bytes, sha256, ndjsonBytes, attempt], i) => ({
      key: partKey(location, i, attempt),
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
    ...(ctx.slice !== undefined && { slice: ctx.slice }),
  });
}
