/**
 * Streams that follow a change feed (`incremental.changes`, e.g. Stripe's `/v1/events`): records that
 * change long after the cursor the list filters on (an invoice paid after its `created`) are read
 * again as changes, each applied as a new version of its record.
 *
 * One read takes one of two paths, chosen when the read starts and kept in its positions (so that a
 * continuation resumes on the same path):
 * - `changes`: the window's `since` is within the feed's retention. The feed is read from `since`;
 *   each change's record (`changes.record`) lands with the stream's `cursorField` set to the change's
 *   time (`changes.changedAt`).
 * - `full`: no `since` (a first run), or one older than the feed keeps (logged as a warning). The
 *   stream's own endpoint is read in full; each record lands with `cursorField` set to the window's
 *   `until`, and every page's cursor is `until`, so the watermark moves to it and the next run
 *   follows the feed from there.
 * Newest-wins on `cursorField` (the curated merge) then keeps each record's latest version.
 */
import type { ChangesDefinition, SourceDefinition, StreamDefinition } from '../definition/schema.ts';
import { EventValidationError } from '../errors.ts';
import type { ApiRecord, Page, ReaderLogger, ReadOptions } from '../stream/types.ts';
import { compilePath } from '../template/getPath.ts';
import { cursorMillis } from './maxCursor.ts';
import { type ReadDeps, readStream } from './readStream.ts';
import type { StreamPlan } from './streamPlan.ts';

type Feed = 'changes' | 'full';

/** A position on one of the two paths: `{ feed, at: <the path's own position> }`. */
interface FeedPosition {
  feed: Feed;
  at: unknown;
}

/** The stream as read on the `changes` path: the feed's endpoint, each change turned into its record. */
export function changesStreamOf(stream: StreamDefinition, changes: ChangesDefinition): StreamDefinition {
  const incremental = stream.incremental!;
  const recordAt = compilePath(changes.record);
  const changedAt = compilePath(changes.changedAt);
  const own = stream.transform;
  return {
    ...stream,
    path: changes.path,
    // The feed is its own endpoint, read with GETs: the stream's request body is not for it.
    request: { type: 'get' },
    params: {},
    records: changes.records,
    paginator: changes.paginator,
    incremental: { ...incremental, params: changes.params, initialSince: undefined, changes: undefined },
    transform: (change) => {
      const record = recordAt(change);
      if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
      const version: ApiRecord = { ...(record as ApiRecord), [incremental.cursorField]: changedAt(change) };
      return own ? own(version) : version;
    },
  };
}

/** The stream as read on the `full` path: its own endpoint, no window params, records parsed (to be stamped). */
export function fullStreamOf(stream: StreamDefinition): StreamDefinition {
  return {
    ...stream,
    incremental: { ...stream.incremental!, params: {}, initialSince: undefined, changes: undefined },
    transform: stream.transform ?? ((record) => record),
  };
}

function stampOf(
  until: Date,
  type: NonNullable<StreamDefinition['incremental']>['cursorType'],
): string | number {
  if (type === 'unix') return Math.floor(until.getTime() / 1000);
  if (type === 'unixMs') return until.getTime();
  return until.toISOString();
}

function parseFeedPosition(from: unknown, source: string, stream: string): FeedPosition | undefined {
  if (from === undefined || from === null) return undefined;
  const p = from as Partial<FeedPosition>;
  if (typeof p !== 'object' || (p.feed !== 'changes' && p.feed !== 'full')) {
    throw new EventValidationError(
      `a position to resume from must be a Page.next of this stream (a change-feed stream's is {feed, at}), got ${JSON.stringify(from)}`,
      { where: { source, stream } },
    );
  }
  return p as FeedPosition;
}

export async function* readWithChanges(
  plans: { changes: StreamPlan; full: StreamPlan },
  options: ReadOptions,
  deps: ReadDeps & { definition: SourceDefinition; logger: ReaderLogger; now?: () => number },
): AsyncGenerator<Page> {
  const stream = plans.full.name;
  const source = deps.definition.name;
  const definition = deps.definition.streams[stream]!;
  const incremental = definition.incremental!;
  const changes = incremental.changes!;
  const from = parseFeedPosition(options.from, source, stream);
  const { since, until } = options.window;
  let feed: Feed;
  if (from) feed = from.feed;
  else {
    const oldest = (deps.now ?? Date.now)() - changes.retentionSeconds * 1000;
    feed = since !== undefined && since.getTime() >= oldest ? 'changes' : 'full';
    const days = Math.round((changes.retentionSeconds / 86400) * 10) / 10;
    const context = { source, stream, read: feed, since: since?.toISOString() ?? null };
    if (feed === 'changes') {
      deps.logger.info(
        `stream ${stream}: following changes from ${changes.path} since ${since!.toISOString()}`,
        context,
      );
    } else if (since === undefined) {
      deps.logger.info(
        `stream ${stream}: no watermark: reading ${definition.path} in full; later runs follow ${changes.path}`,
        context,
      );
    } else {
      deps.logger.warn(
        `stream ${stream}: since ${since.toISOString()} is older than the ${days} days ${changes.path} keeps: reading ${definition.path} in full (a full refresh)`,
        context,
      );
    }
  }
  const inner: ReadOptions = {
    ...options,
    window: feed === 'changes' ? options.window : { until },
    from: from?.at as ReadOptions['from'],
  };
  const wrap = (next: Page['next']): Page['next'] => (next === null ? null : { feed, at: next });
  if (feed === 'changes') {
    for await (const page of readStream(plans.changes, inner, deps)) yield { ...page, next: wrap(page.next) };
    return;
  }
  const stamp = stampOf(until, incremental.cursorType);
  const stampIso = new Date(cursorMillis(stamp, incremental.cursorType)!).toISOString();
  for await (const page of readStream(plans.full, inner, deps)) {
    for (const record of page.records) record[incremental.cursorField] = stamp;
    yield { ...page, next: wrap(page.next), maxCursor: stampIso };
  }
}
