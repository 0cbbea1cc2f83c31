/**
 * The walks of a stream: one, or one per partition, or one per parent record. A position names the
 * walk by its index, so resuming skips the walks already done.
 */
import { EventValidationError } from '../errors.ts';
import type { ApiRecord, JsonValue, ReadOptions } from '../stream/types.ts';
import type { StreamPlan } from './streamPlan.ts';

/** Where reading stands: walk index, paginator state of the next page, pages read in the walk. */
export type Position = { w: number; s: JsonValue; n: number };

export interface Walk {
  index: number;
  vars?: Readonly<Record<string, string | number | boolean>>;
  parent?: ApiRecord;
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
    let index = 0;
    for await (const parent of options.parents()) {
      if (index >= skip) yield { index, parent };
      index++;
    }
  } else if (stream.partitions) {
    for (let index = skip; index < stream.partitions.length; index++)
      yield { index, vars: stream.partitions[index] };
  } else if (skip === 0) {
    yield { index: 0 };
  }
}
