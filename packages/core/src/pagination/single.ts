import * as z from 'zod';
import { paginatorKind } from './types.ts';

/** One request, no pages. */
export const single = paginatorKind({
  schema: z.strictObject({ type: z.literal('single') }),
  doc: { how: 'one request', stopsOn: '—' },
  examples: [{ type: 'single' }],
  generator: { offered: true },
  bodyPaths: () => [],
  create: () => ({
    start: () => null,
    request: () => ({}),
    next: () => null,
  }),
});
