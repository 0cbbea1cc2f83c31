/**
 * The walks of a stream: one, or one per partition, or one per distinct parent key. A position names
 * the walk by its index, so resuming skips the walks already done.
 *
 * A child stream walks once per distinct `parentKey` (the values its path, params and headers take
 * from the parent record), in the order the keys first appear among the parents: 200 orders of 10
 * customers make 10 walks of `/customers/{parent.customer_id}`, not 200. The parents come back in the
 * same order in every invocation of a run (the parent's manifest fixes them), so the walk index of a
 * position is an index in that order and a resumed child skips exactly the keys already walked; what
 * the continuation carries stays one number. The first parent with a key is the walk's parent: its
 * `parent.carry` fields are the ones the child's records get.
 */
import { createHash } from 'node:crypto';
import { EventValidationError } from '../errors.ts';
import type { ApiRecord, JsonValue, ReadOptions } from './readTypes.ts';
import type { StreamPlan } from './streamPlan.ts';

/** Where reading stands in one walk: walk index, paginator state of its next page, pages read in the walk. */
export type Position = { w: number; s: JsonValue; n: number };

/**
 * ➕ Where reading stands in a stream whose walks run at once (`readStream.ts`): the first walk in
 * flight as a `Position`, the other walks in flight (`a`, by index), and the next walk to start
 * (`t`; absent: the one after the last walk in flight). A walk before `t` that is not in flight is
 * done. One walk at a time, this is the plain `{ w, s, n }` of before.
 */
export type StreamAt = Position & { a?: Position[]; t?: number };

export interface Walk {
  index: number;
  vars?: Readonly<Record<string, string | number | boolean>>;
  parent?: ApiRecord;
  /** A child's walk: its parent key as kept in memory (`walkKey`). */
  key?: string;
}

/** A `StreamAt` read back: the walks in flight, by index, and the next walk to start. */
export interface Resume {
  inFlight: Position[];
  next: number;
}

export function parsePosition(from: unknown, source: string, stream: string): Resume | undefined {
  if (from === undefined || from === null) return undefined;
  const at = from as Partial<StreamAt>;
  const bad = () =>
    new EventValidationError(
      `a position to resume from must be a Page.next of this stream, got ${JSON.stringify(from)}`,
      { where: { source, stream } },
    );
  if (typeof at !== 'object' || (at.a !== undefined && !Array.isArray(at.a))) throw bad();
  const { a, t, ...first } = at;
  const inFlight = [first, ...(a ?? [])] as Partial<Position>[];
  for (const p of inFlight) {
    if (
      typeof p !== 'object' ||
      p === null ||
      !Number.isInteger(p.w) ||
      !Number.isInteger(p.n) ||
      !('s' in p)
    )
      throw bad();
  }
  const walks = (inFlight as Position[]).toSorted((x, y) => x.w - y.w);
  const last = walks.at(-1)!.w;
  if (walks.some((p, i) => i > 0 && p.w === walks[i - 1]!.w)) throw bad();
  if (t !== undefined && (!Number.isInteger(t) || t <= last)) throw bad();
  return { inFlight: walks, next: t ?? last + 1 };
}

/** The position of a stream with these walks in flight (by index, at least one) and `next` to start. */
export function streamAt(inFlight: readonly Position[], next: number): StreamAt {
  const [first, ...rest] = inFlight;
  const at: StreamAt = { ...first! };
  if (rest.length > 0) at.a = rest;
  if (next !== inFlight.at(-1)!.w + 1) at.t = next;
  return at;
}

export async function* walks(plan: StreamPlan, options: ReadOptions, skip: number): AsyncGenerator<Walk> {
  const { stream } = plan;
  if (stream.parent) {
    if (!options.parents) {
      throw new EventValidationError(
        `stream ${plan.name} is a child of ${stream.parent.stream}: the reader needs its parents()`,
      );
    }
    // Keys seen in this invocation: one short string per distinct parent key (long keys hashed).
    const seen = new Set<string>();
    let index = 0;
    for await (const parent of options.parents()) {
      const key = walkKey(plan.parentKey(parent));
      if (seen.has(key)) continue;
      seen.add(key);
      if (index >= skip) yield { index, parent, key };
      index++;
    }
  } else if (stream.partitions) {
    for (let index = skip; index < stream.partitions.length; index++)
      yield { index, vars: stream.partitions[index] };
  } else if (skip === 0) {
    yield { index: 0 };
  }
}

/**
 * A key as it is kept in memory (and, ➕ for a child with state per parent, in its state): as is
 * when short, else its sha256 (base64url, 128 bits).
 */
export function walkKey(key: string): string {
  if (key.length <= 32) return key;
  return `#${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
}
