import { compilePath } from '../template/getPath.ts';
import type { PaginatorFactory } from './types.ts';

/**
 * A cursor sent as `param`, read from the body (`cursorPath`) or from the last record
 * (`lastRecordPath`, Stripe's `starting_after`). Stops when `hasMorePath` is false, the page is
 * empty, or there is no cursor.
 */
export const cursor: PaginatorFactory<'cursor'> = (definition) => {
  const fromBody = definition.cursorPath !== undefined ? compilePath(definition.cursorPath) : undefined;
  const fromRecord =
    definition.lastRecordPath !== undefined ? compilePath(definition.lastRecordPath) : undefined;
  const hasMore = definition.hasMorePath !== undefined ? compilePath(definition.hasMorePath) : undefined;
  return {
    start: () => ({ cursor: null }),
    request(state) {
      const value = (state as { cursor: string | null }).cursor;
      return value === null ? {} : { params: { [definition.param]: value } };
    },
    next(_state, page) {
      if (hasMore) {
        const more = hasMore(page.body);
        if (more === false || more === 'false' || more === 0 || more === null || more === undefined)
          return null;
      }
      if (page.records.length === 0) return null;
      const value = fromBody ? fromBody(page.body) : fromRecord?.(page.records.at(-1));
      if (value === undefined || value === null || value === '') return null;
      return { cursor: typeof value === 'string' ? value : JSON.stringify(value) };
    },
  };
};
