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
import type { ApiRecord, JsonValue, ReadOptions } from '../stream/types.ts';
import type { StreamPlan } from './streamPlan.ts';

/** Where reading stands: walk index, paginator state of the next page, pages read in the walk. */
export type Position = { w: number; s: JsonValue; n: number };

export interface Walk {
  index: number;
  vars?: Readonly<Record<string, string | number | boolean>>;
  parent?: ApiRecord;
  /** A child's walk: its parent key as kept in memory (`walkKey`). */
  key?: string;
}

export function parsePosition(from: unknown, source: string, stream: string): Position | undefined {
  if (from === undefined || from === null) return undefined;
  const p = from as Partial<Position>;
  if (typeof p !== 'object' || !Number.isInteger(p.w) || !Number.isInteger(p.n) || !('s' in p)) {
    throw new EventValidationError(
      `a position to resume from must be a Page.next of this stream, got ${JSON.stringify(from)}`,
      {
        where: { source, stream },
      },
    );
  }
  return p as Position;
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
