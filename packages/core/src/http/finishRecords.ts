import type { ApiRecord } from '../stream/types.ts';
import type { StreamPlan } from './streamPlan.ts';

/**
 * A page's records as landed: parent fields carried in (`parent.carry`), then the stream's
 * `transform`. Records are the parsed objects themselves, not copies.
 */
export function finishRecords(
  plan: StreamPlan,
  records: readonly unknown[],
  parent: ApiRecord | undefined,
): ApiRecord[] {
  const out = records as ApiRecord[];
  if (plan.carry.length && parent) {
    for (const record of out) for (const [field, at] of plan.carry) record[field] = at(parent) as never;
  }
  const transform = plan.stream.transform;
  if (!transform) return out;
  const kept: ApiRecord[] = [];
  for (const record of out) {
    const result = transform(record);
    if (result !== undefined) kept.push(result);
  }
  return kept;
}
