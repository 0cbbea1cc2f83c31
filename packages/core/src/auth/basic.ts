import type { AuthFactory } from './types.ts';

/** HTTP Basic: `Authorization: Basic base64(username:password)`. */
export const basic: AuthFactory<'basic'> = (definition, context) => {
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
};
