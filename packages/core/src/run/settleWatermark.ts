/**
 * Where a completed incremental stream leaves its watermark (docs/contracts.md, "Raw zone"), after
 * its manifest is written. It claims that every record before it has been read, so it moves only
 * when that is true:
 * - every walk reached the API's own end: a walk cut short leaves rows unread, which may be older
 *   than the greatest cursor seen (Socrata walks `:id` order, its cursor is `:updated_at`); ➕ in a
 *   window-stepped stream (`window`), a walk cut short in a slice still lets it move to that slice's
 *   start: the slices before it were read to the end;
 * - ➕ the run read from the stored watermark or before it (no gap): a scheduled run starts at the
 *   watermark minus its lookback; a backfill whose window starts after the stored watermark — or,
 *   with none stored yet, after `incremental.initialSince` (or at all, without one) — leaves it as it
 *   is, since the data between was never read;
 * - ➕ a backfill slice never moves it (slices finish in any order);
 * - it only moves forward (`advanceWatermark`).
 * Returns the watermark in force afterwards.
 */
import { stateKey } from '../landing/keys.ts';
import { advanceWatermark, noGap, readWatermark } from '../landing/Watermark.ts';
import type { StreamProgress } from './continuation.ts';
import type { RunContext } from './RunContext.ts';

export async function settleWatermark(
  ctx: RunContext,
  stream: string,
  progress: StreamProgress,
): Promise<string | null> {
  const key = stateKey(ctx.env.outputFolder, stream);
  const stored = await readWatermark(ctx.storage, key);
  const initialSince = ctx.definition.streams[stream]!.incremental?.initialSince;
  const next = ctx.slice === undefined ? readUpTo(progress) : null;
  if (!next || !noGap(progress.window.since, stored?.watermark ?? undefined, initialSince)) {
    return stored?.watermark ?? null;
  }
  return advanceWatermark(ctx.storage, key, {
    watermark: next,
    runId: ctx.runId,
    window: progress.window,
    importDate: ctx.importDate,
  });
}

/** How far the stream was read without a hole: its greatest cursor, or the start of a cut slice. */
function readUpTo(progress: StreamProgress): string | null {
  if (!progress.cutShort) return progress.maxCursor;
  const { cutAt } = progress;
  const since = progress.window.since;
  if (cutAt && (since === null || Date.parse(cutAt) > Date.parse(since))) return cutAt;
  return null;
}
