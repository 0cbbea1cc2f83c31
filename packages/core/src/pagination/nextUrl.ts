import * as z from 'zod';
import { compilePath } from '../definition/template/getPath.ts';
import { paginatorKind } from './types.ts';

/** The next page's URL in the body at `path`, absolute or relative to the page's URL. Stops when absent. */
export const nextUrl = paginatorKind({
  /** A next-page URL in the body (absolute or relative). Stops when missing/null. */
  schema: z.strictObject({ type: z.literal('nextUrl'), path: z.string() }),
  doc: { how: 'the URL at `path` in the body (absolute or relative)', stopsOn: 'no URL' },
  examples: [
    { type: 'nextUrl', path: 'next' },
    { type: 'nextUrl', path: 'links.next' },
  ],
  generator: { offered: true },
  bodyPaths: (definition) => [definition.path],
  create(definition) {
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
  },
});
