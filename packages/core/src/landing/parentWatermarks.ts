/**
 * ➕ The watermarks of a child stream with state per parent (`parent.state: 'perParent'`), kept in
 * the stream's state beside its own watermark (`_state/<OUTPUT_FOLDER>/<stream>.json`, field
 * `parents`; docs/contracts.md "Raw zone"). Pure: what a walk reads from, and what a committed run
 * makes of the state. The reading and writing is run/parentState.ts.
 *
 * - `entries`: `[parent key, watermark]`, the key as the reader names a walk (walks.ts `walkKey`),
 *   the watermark the greatest cursor value landed for that parent; the parents walked most recently
 *   last. At most `parent.maxParents` (default 10,000): beyond it the entries walked longest ago are
 *   dropped, and `floor` becomes the least of their watermarks (and of the floor before).
 * - `floor`: where a parent without an entry reads from once any entry was dropped — no later than
 *   any dropped parent's own watermark, so a dropped parent reads again what it read already, never
 *   less. Until then (`null`) a parent without an entry is new and reads from `initialSince`.
 * - `read`: the `since` each parent walked by the run that wrote the state (`runId`) read from
 *   (`null`: from the start), so that a rerun of that run reads the same (the same records land, no
 *   more, no fewer). Bounded like `entries`; on a rerun a parent it does not hold reads from
 *   `initialSince` (more than the run read, never less).
 */

import { noGap } from './Watermark.ts';

/** The per-parent part of a stream's state. */
export interface ParentWatermarks {
  entries: [key: string, watermark: string][];
  floor: string | null;
  read: [key: string, since: string | null][];
}

/** What one run saw of a parent's walk: the greatest cursor landed, and whether it reached the API's own end. */
export interface WalkSeen {
  /** The `since` the walk read from (ISO), `null` for everything. */
  since: string | null;
  maxCursor: string | null;
  /** The walk ended because the API said so (`Page.end === 'api'`): only then may its watermark move. */
  ended: boolean;
}

const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);
const earlier = (a: string, b: string | null) => b === null || Date.parse(a) < Date.parse(b);

/**
 * Where a parent's walk reads from: on a rerun, what the run read (`read`); else its own watermark
 * or else the floor (an entry was dropped), less the lookback; else `initialSince`. `undefined`: everything.
 */
export function parentSince(
  state: ParentWatermarks | undefined,
  options: { rerun: boolean; lookbackSeconds: number; initialSince: string | undefined },
): (key: string) => Date | undefined {
  const entries = new Map(state?.entries);
  const read = options.rerun ? new Map(state?.read) : undefined;
  const floor = state?.floor ?? null;
  const initial = options.initialSince === undefined ? undefined : new Date(options.initialSince);
  return (key) => {
    if (read) {
      // A parent the rerun run did not record reads from the start: more than it read, never less.
      const since = read.get(key);
      return since === undefined ? initial : since === null ? undefined : new Date(since);
    }
    const own = entries.get(key) ?? floor;
    if (own !== null) return new Date(Date.parse(own) - options.lookbackSeconds * 1000);
    return initial;
  };
}

/**
 * The state after a committed run that walked `seen` (in walk order): each parent whose walk ended
 * at the API's end, and read from its own watermark or before (`noGap`: a backfill window starting
 * after it leaves it), moves to its greatest cursor (only forward) and to the end of the entries;
 * the others keep their entry. Beyond `maxParents` the first entries (walked longest ago) are
 * dropped into the floor.
 */
export function commitParents(
  state: ParentWatermarks | undefined,
  seen: ReadonlyMap<string, WalkSeen>,
  options: { maxParents: number; rerun: boolean; initialSince: string | undefined },
): ParentWatermarks {
  const { maxParents, rerun } = options;
  const entries = new Map(state?.entries);
  for (const [key, walk] of seen) {
    if (!walk.ended) continue;
    const own = entries.get(key);
    if (!noGap(walk.since, own ?? state?.floor ?? undefined, options.initialSince)) continue;
    const next =
      walk.maxCursor !== null && (own === undefined || later(walk.maxCursor, own)) ? walk.maxCursor : own;
    entries.delete(key);
    if (next !== undefined) entries.set(key, next);
  }
  let floor = state?.floor ?? null;
  const kept = [...entries];
  const dropped = kept.splice(0, Math.max(0, kept.length - maxParents));
  for (const [, watermark] of dropped) if (earlier(watermark, floor)) floor = watermark;
  // A rerun keeps what the run first read from; a new run records its own.
  const read: [string, string | null][] = rerun
    ? (state?.read ?? [])
    : [...seen].map(([key, walk]) => [key, walk.since] as [string, string | null]).slice(-maxParents);
  return { entries: kept, floor, read };
}
