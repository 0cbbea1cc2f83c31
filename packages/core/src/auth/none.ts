import * as z from 'zod';
import { authKind } from './types.ts';

/** No credentials. */
export const none = authKind({
  schema: z.strictObject({ type: z.literal('none') }),
  doc: 'nothing',
  examples: [{ type: 'none' }],
  generator: { offered: true },
  secretKeyFields: [],
  env: [],
  create: () => ({
    apply: async () => {},
    refresh: async () => false,
    queryParams: [],
  }),
});
