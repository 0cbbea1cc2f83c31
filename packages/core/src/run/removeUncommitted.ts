/**
 * Clean-up after a failed invocation: the parts it landed — keys of its own attempt, which no other
 * invocation wrote — are removed unless the run's committed manifest lists them (this invocation
 * wrote it and failed after, e.g. on the watermark; or a manifest PUT answered with an error had
 * landed). When the manifest cannot be read, nothing is removed: an orphan is invisible to a reader
 * that trusts manifests and the run's next commit removes it; a committed part removed is data lost.
 */
import { manifestKey, partKey, type RunLocation } from '../landing/keys.ts';
import type { StreamProgress } from './continuation.ts';
import { locationOf, type RunContext } from './RunContext.ts';

export async function removeUncommitted(
  ctx: RunContext,
  location: RunLocation,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  const committed = await ctx.storage.readManifest(manifestKey(location));
  const listed = new Set(committed?.parts.map((p) => p.key));
  await ctx.storage.delete(keys.filter((k) => !listed.has(k)));
}

/**
 * When the invocation fails, the streams that stopped cleanly at a page boundary lose their
 * continuation with it (the handler throws; a retry resumes from the previous one): the parts they
 * landed in this invocation are orphans too. Removes them, stream by stream.
 */
export async function removeInvocationParts(
  ctx: RunContext,
  streams: Readonly<Record<string, StreamProgress>>,
): Promise<void> {
  for (const [stream, progress] of Object.entries(streams)) {
    if (progress.done) continue;
    const location = locationOf(ctx, stream);
    const keys = progress.parts.flatMap(([, , , , attempt], i) =>
      attempt === ctx.attempt ? [partKey(location, i, attempt)] : [],
    );
    await removeUncommitted(ctx, location, keys).catch(() => undefined);
  }
}
