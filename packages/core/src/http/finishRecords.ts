import { renderTemplate } from '../definition/template/template.ts';
import type { ApiRecord } from './readTypes.ts';
import type { StreamPlan } from './streamPlan.ts';

/**
 * A page's records as landed: parent fields carried in (`parent.carry`), the partition's fields
 * (`partitionFields`), then the stream's `transform`. Records are the parsed objects themselves, not
 * copies.
 */
export function finishRecords(
  plan: StreamPlan,
  records: readonly unknown[],
  parent: ApiRecord | undefined,
  partition?: Readonly<Record<string, string | number | boolean>>,
): ApiRecord[] {
  const out = records as ApiRecord[];
  if (plan.carry.length && parent) {
    for (const record of out) for (const [field, at] of plan.carry) record[field] = at(parent) as never;
  }
  if (plan.partitionFields.length && partition) {
    const fields = plan.partitionFields.map(
      ([field, t]) => [field, renderTemplate(t, { vars: partition }).value] as const,
    );
    for (const record of out) for (const [field, value] of fields) record[field] = value ?? null;
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
