/**
 * A stream whose pages have all landed: the manifest (every invocation's parts) is written, stale
 * parts of an earlier attempt are removed, then the watermark moves forward (incremental streams),
 * then the raw table gets the run's partition (with `GLUE_DATABASE`).
 */
import { buildManifest } from '../manifest/Manifest.ts';
import type { StreamTelemetry } from '../observability/StreamTelemetry.ts';
import { deleteStaleParts } from '../sink/deleteStaleParts.ts';
import { putJsonObject } from '../sink/jsonObject.ts';
import { manifestKey, partKey, type RunLocation, runPrefix, s3Uri, stateKey } from '../sink/keys.ts';
import { storageError } from '../sink/storageError.ts';
import { advanceWatermark, readWatermark } from '../state/Watermark.ts';
import type { StreamProgress } from './continuation.ts';
import type { RunContext } from './RunContext.ts';
import { registerRawPartition } from './registerRawPartition.ts';

export async function completeStream(
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
    throw storageError('cannot write the manifest or watermark of', { bucket: env.bucket, key }, e, where);
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
