import * as z from 'zod';
import { decoderKind } from './types.ts';

/** One JSON document per response (today's path): the records at `records`, scanned or parsed. */
export const json = decoderKind({
  schema: z.strictObject({ type: z.literal('json') }),
  doc: {
    decodes:
      "one JSON document per response, buffered; plain `records` paths land the API's bytes (scan fast path)",
    records: 'the array at `records`',
  },
  examples: [{ type: 'json' }],
  generator: { offered: true },
  create: () => undefined,
});
