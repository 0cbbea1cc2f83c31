import { compilePath } from '../template/getPath.ts';
import { countAt, type PaginatorFactory } from './types.ts';

/**
 * `?offset=0&limit=100`, then `offset=100`… The next offset counts the records received. Stops on an
 * empty or short page, or when the offset reaches the total at `totalPath`. With a total, the pages
 * up to it are `known`: the reader may fetch them concurrently.
 */
export const offset: PaginatorFactory<'offset'> = (definition) => {
  const total = definition.totalPath ? compilePath(definition.totalPath) : undefined;
  return {
    start: () => ({ offset: 0 }),
    request: (state) => ({
      params: {
        [definition.offsetParam]: String((state as { offset: number }).offset),
        [definition.limitParam]: String(definition.limit),
      },
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
};
