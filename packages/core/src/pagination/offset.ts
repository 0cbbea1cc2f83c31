import { compilePath } from '../template/getPath.ts';
import { countAt, type PaginatorFactory } from './types.ts';

/**
 * `?offset=0&limit=100`, then `offset=100`… The next offset counts the records received. Stops on an
 * empty or short page, or when the offset reaches the total at `totalPath`.
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
  };
};
