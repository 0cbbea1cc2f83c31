import { header } from '../http/types.ts';
import { findLink } from './parseLinkHeader.ts';
import type { PaginatorFactory } from './types.ts';

/** RFC 8288 `Link` header (GitHub): follows `rel="next"` (or `rel`) until there is none. */
export const link: PaginatorFactory<'link'> = (definition) => ({
  start: () => ({ url: null }),
  request: (state) => {
    const url = (state as { url: string | null }).url;
    return url === null ? {} : { url };
  },
  next(_state, page) {
    const target = findLink(header(page.headers, 'link'), definition.rel);
    if (!target) return null;
    return { url: page.cleanUrl(new URL(target, page.url).href) };
  },
});
