import * as z from 'zod';
import { SecretKey } from '../definition/fields.ts';
import { authKind } from './types.ts';

/** `Authorization: Bearer <secret[secretKey]>`. */
export const bearer = authKind({
  schema: z.strictObject({ type: z.literal('bearer'), secretKey: SecretKey }),
  doc: '`Authorization: Bearer <value>`',
  examples: [{ type: 'bearer', secretKey: 'token' }],
  generator: { offered: true },
  secretKeyFields: ['secretKey'],
  env: [],
  create: (definition, context) => ({
    async apply(request) {
      const credentials = await context.credentials();
      request.headers.Authorization = `Bearer ${credentials.require(definition.secretKey)}`;
    },
    refresh: async () => false,
    queryParams: [],
  }),
});
