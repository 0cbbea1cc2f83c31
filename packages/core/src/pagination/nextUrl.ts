import { compilePath } from '../template/getPath.ts';
import type { PaginatorFactory } from './types.ts';

/** The next page's URL in the body at `path`, absolute or relative to the page's URL. Stops when absent. */
export const nextUrl: PaginatorFactory<'nextUrl'> = (definition) => {
  const at = compilePath(definition.path);
  return {
    start: () => ({ url: null }),
    request: (state) => {
      const url = (state as { url: string | null }).url;
      return url === null ? {} : { url };
    },
    next(_state, page) {
      const value = at(page.body);
      if (typeof value !== 'string' || value === '') return null;
      return { url: page.cleanUrl(new URL(value, page.url).href) };
    },
  };
};
