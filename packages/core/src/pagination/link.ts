import * as z from 'zod';
import { header } from '../http/types.ts';
import { findLink } from './parseLinkHeader.ts';
import { paginatorKind } from './types.ts';

/** RFC 8288 `Link` header (GitHub): follows `rel="next"` (or `rel`) until there is none. */
export const link = paginatorKind({
  /** RFC 8288 `Link: <…>; rel="next"` header. Stops when there is no `next`. */
  schema: z.strictObject({ type: z.literal('link'), rel: z.string().default('next') }),
  doc: { how: 'RFC 8288 `Link` header, `rel` (default `next`)', stopsOn: 'no such link' },
  examples: [{ type: 'link' }, { type: 'link', rel: 'next' }],
  generator: { offered: true },
  bodyPaths: () => [],
  create: (definition) => ({
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
  }),
});
