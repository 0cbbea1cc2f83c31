import type { AuthFactory } from './types.ts';

/** An API key in a header (`X-App-Token: <key>`) or a query param (`?api_key=<key>`); optional if the key may be absent. */
export const apiKey: AuthFactory<'apiKey'> = (definition, context) => ({
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
});
