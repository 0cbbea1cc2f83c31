import * as z from 'zod';
import { compilePath } from '../definition/template/getPath.ts';
import { countAt, paginatorKind } from './types.ts';

/**
 * `?page=1&per_page=100`, then `page=2`… Stops on an empty page, a page shorter than `size`, or
 * after the number of pages at `totalPagesPath`. With that number, the pages up to it are `known`:
 * the reader may fetch them concurrently.
 */
export const page = paginatorKind({
  /** `?page=1&per_page=100`. Stops on a short or empty page, or `totalPagesPath`. */
  schema: z.strictObject({
    type: z.literal('page'),
    pageParam: z.string().default('page'),
    /** @default 1 */
    startPage: z.number().int().nonnegative().default(1),
    sizeParam: z.string().optional(),
    size: z.number().int().positive().optional(),
    totalPagesPath: z.string().optional(),
  }),
  doc: {
    how: '`pageParam` from `startPage`, optional `sizeParam`/`size`; with `totalPagesPath`, the pages up to it are fetched concurrently (up to `rateLimit.concurrency`), landed in order',
    stopsOn: 'empty page, page shorter than `size`, `totalPagesPath` pages',
  },
  examples: [
    { type: 'page', pageParam: 'page', startPage: 1, sizeParam: 'per_page', size: 100 },
    { type: 'page', sizeParam: 'per_page', size: 2, totalPagesPath: 'meta.total_pages' },
  ],
  generator: { offered: true },
  bodyPaths: (definition) => (definition.totalPagesPath === undefined ? [] : [definition.totalPagesPath]),
  check: (definition) =>
    (definition.sizeParam === undefined) !== (definition.size === undefined)
      ? ['sizeParam and size go together']
      : [],
  create(definition) {
    const totalPages = definition.totalPagesPath ? compilePath(definition.totalPagesPath) : undefined;
    return {
      start: () => ({ page: definition.startPage }),
      request(state) {
        const params: Record<string, string> = {
          [definition.pageParam]: String((state as { page: number }).page),
        };
        if (definition.sizeParam && definition.size) params[definition.sizeParam] = String(definition.size);
        return { params };
      },
      next(state, result) {
        const current = (state as { page: number }).page;
        const received = result.records.length;
        if (received === 0) return null;
        if (definition.size !== undefined && received < definition.size) return null;
        const total = totalPages ? countAt(totalPages(result.body)) : undefined;
        if (total !== undefined && current - definition.startPage + 1 >= total) return null;
        return { page: current + 1 };
      },
      known(state, result, max) {
        const total = totalPages ? countAt(totalPages(result.body)) : undefined;
        const received = result.records.length;
        if (total === undefined || received === 0) return [];
        if (definition.size !== undefined && received < definition.size) return [];
        const current = (state as { page: number }).page;
        const last = definition.startPage + total - 1;
        const out: { page: number }[] = [];
        for (let p = current + 1; p <= last && out.length < max; p++) out.push({ page: p });
        return out;
      },
    };
  },
});
