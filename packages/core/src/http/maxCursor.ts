/** The greatest cursor value of a page's records, as an ISO date (`Page.maxCursor`). */
import type { IncrementalDefinition } from '../definition/schema.ts';
import type { PathGetter } from '../template/getPath.ts';

export function cursorMillis(value: unknown, type: IncrementalDefinition['cursorType']): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let ms: number;
  if (type === 'iso') ms = typeof value === 'number' ? value : Date.parse(String(value));
  else {
    const n = typeof value === 'number' ? value : Number(value);
    ms = type === 'unix' ? n * 1000 : n;
  }
  return Number.isFinite(ms) ? ms : undefined;
}

export function maxCursor(
  records: readonly unknown[],
  at: PathGetter,
  type: IncrementalDefinition['cursorType'],
): string | undefined {
  let max = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    const ms = cursorMillis(at(record), type);
    if (ms !== undefined && ms > max) max = ms;
  }
  return max === Number.NEGATIVE_INFINITY ? undefined : new Date(max).toISOString();
}
