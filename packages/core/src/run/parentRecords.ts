import type { ApiRecord } from '../http/readTypes.ts';
import { manifestKey } from '../landing/keys.ts';
import type { Manifest } from '../landing/Manifest.ts';
import { readLandedRecords } from '../landing/readLandedRecords.ts';
import { SinkError } from '../landing/SinkError.ts';
import { locationOf, type RunContext } from './RunContext.ts';

/** The parent's records of this run, streamed back from its landed parts (listed in its manifest). */
export async function* parentRecords(ctx: RunContext, parent: string): AsyncGenerator<ApiRecord> {
  const key = manifestKey(locationOf(ctx, parent));
  const where = { source: ctx.definition.name, stream: parent };
  const { storage } = ctx;
  let manifest: Manifest | undefined;
  try {
    manifest = await storage.readManifest(key);
  } catch (e) {
    throw storage.failure("cannot read the parent's manifest", key, e, where);
  }
  if (!manifest) throw new SinkError(`the parent's manifest ${storage.uri(key)} is missing`, { where });
  yield* readLandedRecords(
    storage,
    manifest.parts.map((p) => ({ key: p.key, sha256: p.sha256 })),
    where,
  );
}
