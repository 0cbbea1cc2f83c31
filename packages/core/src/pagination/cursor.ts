import * as z from 'zod';
import { compilePath } from '../template/getPath.ts';
import { PlacementSchema, paginatorKind, placed } from './types.ts';

/**
 * A cursor sent as `param`, read from the body (`cursorPath`) or from the last record
 * (`lastRecordPath`, Stripe's `starting_after`). Stops when `hasMorePath` is false, the page is
 * empty, or there is no cursor.
 */
export const cursor = paginatorKind({
  /**
   * A cursor sent as `param`, taken from the body (`cursorPath`, e.g. `page_info.next_page_token`)
   * or from the last record (`lastRecordPath`, e.g. Stripe's `id` for `starting_after`).
   * Stops when the cursor is missing/empty, the page is empty, or `hasMorePath` is false.
   */
  schema: z.strictObject({
    type: z.literal('cursor'),
    param: z.string(),
    cursorPath: z.string().optional(),
    lastRecordPath: z.string().optional(),
    hasMorePath: z.string().optional(),
    /** `query`: `param` is a query param; `body`: a dotted path into the JSON body (HubSpot's `after`). @default 'query' */
    in: PlacementSchema,
  }),
  doc: {
    how: "`param` = `cursorPath` in the body, or `lastRecordPath` in the last record; `in: 'body'` sends it in the request body (a dotted path)",
    stopsOn: 'no cursor, empty page, `hasMorePath` false',
  },
  examples: [
    { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor' },
    { type: 'cursor', param: 'starting_after', lastRecordPath: 'id', hasMorePath: 'has_more' },
    { type: 'cursor', param: 'after', cursorPath: 'paging.next.after', in: 'body' },
  ],
  generator: { offered: true },
  // `lastRecordPath` reads the last record, not the body.
  bodyPaths: (definition) =>
    [definition.cursorPath, definition.hasMorePath].filter((path) => path !== undefined),
  check(definition) {
    if (!definition.cursorPath && !definition.lastRecordPath)
      return ['a cursor paginator needs cursorPath (in the body) or lastRecordPath (in the last record)'];
    if (definition.cursorPath && definition.lastRecordPath)
      return ['give cursorPath or lastRecordPath, not both'];
    return [];
  },
  create(definition) {
    const fromBody = definition.cursorPath !== undefined ? compilePath(definition.cursorPath) : undefined;
    const fromRecord =
      definition.lastRecordPath !== undefined ? compilePath(definition.lastRecordPath) : undefined;
    const hasMore = definition.hasMorePath !== undefined ? compilePath(definition.hasMorePath) : undefined;
    return {
      start: () => ({ cursor: null }),
      request(state) {
        const value = (state as { cursor: string | null }).cursor;
        return value === null ? {} : placed(definition.in, { [definition.param]: value });
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
  },
});
