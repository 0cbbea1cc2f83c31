import type { AuthFactory } from './types.ts';

/** `Authorization: Bearer <secret[secretKey]>`. */
export const bearer: AuthFactory<'bearer'> = (definition, context) => ({
  async apply(request) {
    const credentials = await context.credentials();
    request.headers.Authorization = `Bearer ${credentials.require(definition.secretKey)}`;
  },
  refresh: async () => false,
  queryParams: [],
});
