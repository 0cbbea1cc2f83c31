/**
 * ➕ A child stream with state per parent (`parent: { stream, carry, state: 'perParent' }`): each
 * parent key's walk reads from that parent's own watermark, and a committed run moves the watermark
 * of each parent whose walk reached the API's own end (landing/parentWatermarks.ts for the rules, the
 * cap and the floor).
 *
 * Across the invocations of one run, what the walks saw so far (per parent: the `since` read from,
 * the greatest cursor landed, whether the walk ended) is kept in a checkpoint beside the state,
 * `_state/<OUTPUT_FOLDER>/<stream>.parents/<runId>/<attempt>.json`, written when an invocation stops
 * before the stream's end; the continuation names the attempt whose checkpoint is current
 * (`StreamProgress.parents.checkpoint`), so a failed invocation's checkpoint is never read. Nothing
 * of it moves a watermark: the stream's state, parents included, is written once, after its
 * manifest (the commit point), by `commitParentState`.
 *
 * A backfill slice reads every parent from the slice's `since` and moves nothing; a run with an
 * event `window` reads every parent from the window's `since` (`parents.since: 'window'`) and moves
 * the parents' watermarks forward like the stream's own.
 */

import type { Page } from '../http/readTypes.ts';
import { stateKey } from '../landing/keys.ts';
import {
  commitParents,
  type ParentWatermarks,
  parentSince,
  type WalkSeen,
} from '../landing/parentWatermarks.ts';
import { isLater, noGap, type WatermarkState } from '../landing/Watermark.ts';
import type { StreamProgress } from './continuation.ts';
import type { RunContext } from './RunContext.ts';

/** What a checkpoint holds besides the state's fields: this run's walks so far. */
interface ParentCheckpoint extends WatermarkState {
  walks: [key: string, since: string | null, maxCursor: string | null, ended: boolean][];
}

export interface ParentTracker {
  /** The reader's `parentSince`. */
  sinceOf(key: string): Date | undefined;
  /** Notes a landed page of a walk. */
  note(page: Page): void;
  /** Writes the walks so far (the invocation stops before the stream's end); the continuation then names it. */
  checkpoint(progress: StreamProgress): Promise<void>;
  /** The walks of this run so far, in walk order. */
  readonly seen: ReadonlyMap<string, WalkSeen>;
  /** The run is a rerun of the run that wrote the state: it reads what that run read, and keeps `read`. */
  readonly rerun: boolean;
}

const checkpointKey = (ctx: RunContext, stream: string, attempt: string) =>
  `${checkpointPrefix(ctx, stream)}${attempt}.json`;
const checkpointPrefix = (ctx: RunContext, stream: string) =>
  `_state/${ctx.env.outputFolder}/${stream}.parents/${ctx.runId}/`;

/** The tracker of a child with state per parent, or `undefined` for any other stream (and in a backfill slice). */
export async function openParentState(
  ctx: RunContext,
  stream: string,
  progress: StreamProgress,
): Promise<ParentTracker | undefined> {
  const def = ctx.definition.streams[stream]!;
  if (def.parent?.state !== 'perParent' || !def.incremental || ctx.slice !== undefined) return undefined;
  const { state, saved } = await readStates(ctx, stream, progress.parents?.checkpoint ?? null);
  const rerun = state?.runId === ctx.runId;
  const window = progress.window.since ? new Date(progress.window.since) : undefined;
  const own = parentSince(state?.parents, {
    rerun,
    lookbackSeconds: def.incremental.lookbackSeconds,
    initialSince: def.incremental.initialSince,
  });
  const sinceOf = progress.parents?.since === 'window' ? () => window : own;
  const seen = new Map<string, WalkSeen>(
    (saved?.walks ?? []).map(([k, since, maxCursor, ended]) => [k, { since, maxCursor, ended }]),
  );
  return tracker(ctx, stream, { sinceOf, seen, rerun });
}

/** The stream's committed state, and the checkpoint the continuation names (if any). */
async function readStates(ctx: RunContext, stream: string, checkpoint: string | null) {
  const key = stateKey(ctx.env.outputFolder, stream);
  try {
    const state = await ctx.storage.readWatermark(key);
    const saved = checkpoint
      ? ((await ctx.storage.readWatermark(checkpointKey(ctx, stream, checkpoint))) as ParentCheckpoint)
      : undefined;
    return { state, saved };
  } catch (e) {
    throw ctx.storage.failure('cannot read the parent state', key, e, {
      source: ctx.definition.name,
      stream,
    });
  }
}

function tracker(
  ctx: RunContext,
  stream: string,
  { sinceOf, seen, rerun }: Pick<ParentTracker, 'sinceOf' | 'rerun'> & { seen: Map<string, WalkSeen> },
): ParentTracker {
  return {
    sinceOf,
    seen,
    rerun,
    note(page) {
      const k = page.parentKey;
      if (k === undefined) return;
      let walk = seen.get(k);
      if (!walk) {
        walk = { since: sinceOf(k)?.toISOString() ?? null, maxCursor: null, ended: false };
        seen.set(k, walk);
      }
      if (page.maxCursor && isLater(page.maxCursor, walk.maxCursor)) walk.maxCursor = page.maxCursor;
      if (page.end !== undefined) walk.ended = page.end === 'api';
    },
    async checkpoint(p) {
      const ck = checkpointKey(ctx, stream, ctx.attempt);
      const body: ParentCheckpoint = {
        watermark: p.maxCursor ?? '',
        runId: ctx.runId,
        updatedAt: new Date().toISOString(),
        walks: [...seen].map(([k, w]) => [k, w.since, w.maxCursor, w.ended]),
      };
      try {
        await ctx.storage.writeWatermark(ck, body);
      } catch (e) {
        throw ctx.storage.failure('cannot write the parent checkpoint', ck, e, {
          source: ctx.definition.name,
          stream,
        });
      }
      p.parents = { since: p.parents?.since ?? 'perParent', checkpoint: ctx.attempt };
    },
  };
}

/**
 * The stream's state after its manifest: its own watermark (moved as `advanceWatermark` would) and
 * the parents' (`commitParents`), in one write; then this run's checkpoints are removed. Returns
 * the watermark in force (`null`: none yet; the parents' are written all the same). Called inside completeStream's commit, which turns a failure into the
 * storage's typed error.
 */
export async function commitParentState(
  ctx: RunContext,
  stream: string,
  progress: StreamProgress,
  tracker: ParentTracker,
): Promise<string | null> {
  const def = ctx.definition.streams[stream]!;
  const key = stateKey(ctx.env.outputFolder, stream);
  const current = await ctx.storage.readWatermark(key);
  const initialSince = def.incremental?.initialSince;
  const mayMove =
    progress.maxCursor !== null &&
    !progress.cutShort &&
    noGap(progress.window.since, current?.watermark ?? undefined, initialSince);
  const watermark =
    (mayMove && isLater(progress.maxCursor!, current?.watermark)
      ? progress.maxCursor!
      : current?.watermark) ?? null;
  const parents: ParentWatermarks = commitParents(current?.parents, tracker.seen, {
    maxParents: def.parent!.maxParents,
    rerun: tracker.rerun,
    initialSince,
  });
  // ➕ No stream watermark yet (a first run with a walk cut short): the committed parents' own are
  // still kept, beside `watermark: null`, so the next run reads them from there, not initialSince.
  if (watermark === null && parents.entries.length === 0 && parents.floor === null) return null;
  await ctx.storage.writeWatermark(key, {
    watermark,
    runId: ctx.runId,
    updatedAt: new Date().toISOString(),
    window: progress.window,
    importDate: ctx.importDate,
    parents,
  });
  // Best effort: a checkpoint left behind is never read again (each is named by its attempt, and
  // only the one a continuation names is read), and is small.
  await ctx.storage
    .list(checkpointPrefix(ctx, stream))
    .then((keys) => ctx.storage.delete(keys))
    .catch(() => undefined);
  return watermark;
}
