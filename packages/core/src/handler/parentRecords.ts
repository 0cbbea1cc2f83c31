import type { Manifest } from '../manifest/Manifest.ts';
import { getJsonObject } from '../sink/jsonObject.ts';
import { manifestKey } from '../sink/keys.ts';
import { readLandedRecords } from '../sink/readLandedRecords.ts';
import { SinkError } from '../sink/SinkError.ts';
import { storageError } from '../sink/storageError.ts';
import type { ApiRecord } from '../stream/types.ts';
import { locationOf, type RunContext } from './RunContext.ts';

/** The parent's records of this run, streamed back from its landed parts (listed in its manifest). */
export async function* parentRecords(ctx: RunContext, parent: string): AsyncGenerator<ApiRecord> {
  const key = manifestKey(locationOf(ctx, parent));
  const where = { source: ctx.definition.name, stream: parent };
  let manifest: Manifest | undefined;
  try {
    manifest = await getJsonObject<Manifest>(ctx.s3, ctx.env.bucket, key);
  } catch (e) {
    throw storageError("cannot read the parent's manifest", { bucket: ctx.env.bucket, key }, e, where);
  }
  if (!manifest)
    throw new SinkError(`the parent's manifest s3://${ctx.env.bucket}/${key} is missing`, { where });
  yield* readLandedRecords(
    ctx.s3,
    ctx.env.bucket,
    manifest.parts.map((p) => ({ key: p.key, sha256: p.sha256 })),
    where,
  );
}
