import * as z from 'zod';
import { SecretKey } from '../definition/fields.ts';
import { authKind } from './types.ts';

/** HTTP Basic: `Authorization: Basic base64(username:password)`. */
export const basic = authKind({
  schema: z.strictObject({ type: z.literal('basic'), usernameKey: SecretKey, passwordKey: SecretKey }),
  doc: '`Authorization: Basic base64(user:password)`',
  examples: [{ type: 'basic', usernameKey: 'username', passwordKey: 'password' }],
  generator: { offered: true },
  secretKeyFields: ['usernameKey', 'passwordKey'],
  env: [],
  create(definition, context) {
    let value: string | undefined;
    return {
      async apply(request) {
        if (value === undefined) {
          const credentials = await context.credentials();
          const pair = `${credentials.require(definition.usernameKey)}:${credentials.require(definition.passwordKey)}`;
          value = `Basic ${Buffer.from(pair).toString('base64')}`;
          context.hide(value.slice('Basic '.length));
        }
        request.headers.Authorization = value;
      },
      refresh: async () => false,
      queryParams: [],
    };
  },
});
