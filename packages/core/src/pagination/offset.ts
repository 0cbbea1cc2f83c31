import * as z from 'zod';
import { compilePath } from '../template/getPath.ts';
import { countAt, PlacementSchema, paginatorKind, placed } from './types.ts';

/**
 * `?offset=0&limit=100`, then `offset=100`… The next offset counts the records received. Stops on an
 * empty or short page, or when the offset reaches the total at `totalPath`. With a total, the pages
 * up to it are `known`: the reader may fetch them concurrently.
 */
export const offset = paginatorKind({
  /** `?offset=0&limit=100`, `?$offset=…&$limit=…`. Stops on a short or empty page, or `totalPath`. */
  schema: z.strictObject({
    type: z.literal('offset'),
    offsetParam: z.string().default('offset'),
    limitParam: z.string().default('limit'),
    limit: z.number().int().positive(),
    /** Path of the total record count in the body. */
    totalPath: z.string().optional(),
    /** `query`: the params are query params; `body`: dotted paths into the JSON body. @default 'query' */
    in: PlacementSchema,
  }),
  doc: {
    how: "`offsetParam`/`limitParam` (`offset`/`limit`; `in: 'body'`: numbers at dotted paths in the request body), next offset = records received; with `totalPath`, the pages up to the total are fetched concurrently (up to `rateLimit.concurrency`), landed in order",
    stopsOn: 'short or empty page, `totalPath` reached',
  },
  examples: [
    { type: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: 100 },
    { type: 'offset', limit: 2, totalPath: 'meta.total' },
    { type: 'offset', offsetParam: 'paging.offset', limitParam: 'paging.limit', limit: 100, in: 'body' },
  ],
  generator: { offered: true },
  bodyPaths: (definition) => (definition.totalPath === undefined ? [] : [definition.totalPath]),
  create(definition) {
    const total = definition.totalPath ? compilePath(definition.totalPath) : undefined;
    return {
      start: () => ({ offset: 0 }),
      request: (state) =>
        placed(definition.in, {
          [definition.offsetParam]: (state as { offset: number }).offset,
          [definition.limitParam]: definition.limit,
        }),
      next(state, page) {
        const received = page.records.length;
        if (received === 0 || received < definition.limit) return null;
        const nextOffset = (state as { offset: number }).offset + received;
        const count = total ? countAt(total(page.body)) : undefined;
        if (count !== undefined && nextOffset >= count) return null;
        return { offset: nextOffset };
      },
      known(state, page, max) {
        const count = total ? countAt(total(page.body)) : undefined;
        if (count === undefined || page.records.length !== definition.limit) return [];
        const out: { offset: number }[] = [];
        const from = (state as { offset: number }).offset + definition.limit;
        for (let o = from; o < count && out.length < max; o += definition.limit) out.push({ offset: o });
        return out;
      },
    };
  },
});
