import type { PaginatorFactory } from './types.ts';

/** One request, no pages. */
export const single: PaginatorFactory<'single'> = () => ({
  start: () => null,
  request: () => ({}),
  next: () => null,
});
