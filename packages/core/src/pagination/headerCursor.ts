import * as z from 'zod';
import { header } from '../http/types.ts';
import { paginatorKind } from './types.ts';

/**
 * A cursor in a response header, sent back as `param` (Salesforce Bulk API 2.0 results:
 * `Sforce-Locator`, sent as `locator`). Stops when the header is absent, empty, or one of
 * `stopValues` (Salesforce sends the string `null` on the last chunk).
 */
export const headerCursor = paginatorKind({
  /** `param` = the response header `header`. Stops when it is absent or one of `stopValues`. */
  schema: z.strictObject({
    type: z.literal('headerCursor'),
    /** The response header holding the next cursor (case-insensitive). */
    header: z.string().min(1),
    /** The query param the cursor is sent as. */
    param: z.string().min(1),
    /** @default ['null'] */
    stopValues: z.array(z.string()).default(['null']),
  }),
  doc: {
    how: '`param` = the response header `header`',
    stopsOn: 'header absent or empty, or one of `stopValues` (default `null`)',
  },
  examples: [
    { type: 'headerCursor', header: 'Sforce-Locator', param: 'locator' },
    { type: 'headerCursor', header: 'X-Next-Cursor', param: 'cursor', stopValues: ['', 'end'] },
  ],
  generator: { offered: false, instead: 'generate with --pagination cursor, then change the paginator' },
  bodyPaths: () => [],
  create(definition) {
    const name = definition.header.toLowerCase();
    return {
      start: () => ({ cursor: null }),
      request(state) {
        const value = (state as { cursor: string | null }).cursor;
        return value === null ? {} : { params: { [definition.param]: value } };
      },
      next(_state, page) {
        const value = header(page.headers, name)?.trim();
        if (value === undefined || value === '' || definition.stopValues.includes(value)) return null;
        return { cursor: value };
      },
    };
  },
});
