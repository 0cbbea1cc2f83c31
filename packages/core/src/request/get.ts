import * as z from 'zod';
import { requestKind } from './types.ts';

/** A GET without a body: the stream's path and params are the whole request (the default). */
export const get = requestKind({
  schema: z.strictObject({ type: z.literal('get') }),
  doc: {
    sends: 'GET, the path and `params` (the default)',
    retries: '5xx, timeouts, resets, 429 (a GET is idempotent)',
  },
  examples: [{ type: 'get' }],
  generator: { offered: true },
  carriesBody: false,
  templates: () => ({}),
  create: () => ({
    method: 'GET',
    retrySafe: true,
    templates: [],
    render: () => undefined,
    encode: () => undefined,
  }),
});
