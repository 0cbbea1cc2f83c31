import * as z from 'zod';
import { SecretKey } from '../definition/fields.ts';
import { authKind } from './types.ts';

/** An API key in a header (`X-App-Token: <key>`) or a query param (`?api_key=<key>`); optional if the key may be absent. */
export const apiKey = authKind({
  schema: z.strictObject({
    type: z.literal('apiKey'),
    /** @default 'header' */
    in: z.enum(['header', 'query']).default('header'),
    /** Header or query parameter name, e.g. `X-App-Token`. */
    name: z.string().min(1),
    secretKey: SecretKey,
    /** A missing secret key sends no credential instead of failing. @default false */
    optional: z.boolean().default(false),
    /** Prefix before the value, e.g. `Token `. @default '' */
    prefix: z.string().default(''),
  }),
  doc: 'header `name: <prefix><value>` or query `?name=<value>` (`in`); `optional: true` sends nothing when the key is absent',
  examples: [
    { type: 'apiKey', in: 'header', name: 'X-API-Key', secretKey: 'api_key' },
    { type: 'apiKey', in: 'query', name: 'api_key', secretKey: 'key', optional: true },
  ],
  generator: { offered: true },
  secretKeyFields: ['secretKey'],
  worksWithoutSecret: (definition) => definition.optional,
  env: [],
  create: (definition, context) => ({
    async apply(request) {
      const credentials = await context.credentials();
      const value = definition.optional
        ? credentials.optional(definition.secretKey)
        : credentials.require(definition.secretKey);
      if (value === undefined) return;
      if (definition.in === 'query')
        request.url.searchParams.set(definition.name, `${definition.prefix}${value}`);
      else request.headers[definition.name] = `${definition.prefix}${value}`;
    },
    refresh: async () => false,
    queryParams: definition.in === 'query' ? [definition.name] : [],
  }),
});
