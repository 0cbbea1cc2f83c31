/** The greatest cursor value of a page's records, as an ISO date (`Page.maxCursor`). */
import type { IncrementalDefinition } from '../definition/schema.ts';
import type { PathGetter } from '../definition/template/getPath.ts';

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
  return maxCursorOf(records.length, (k) => at(records[k]), type);
}

/** The same over `count` cursor values given by index (records that are still bytes). */
export function maxCursorOf(
  count: number,
  valueAt: (index: number) => unknown,
  type: IncrementalDefinition['cursorType'],
): string | undefined {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < count; k++) {
    const ms = cursorMillis(valueAt(k), type);
    if (ms !== undefined && ms > max) max = ms;
  }
  return max === Number.NEGATIVE_INFINITY ? undefined : new Date(max).toISOString();
}
