/**
 * OAuth2 client credentials (RFC 6749 §4.4): a token from the token endpoint, sent as
 * `Authorization: Bearer`, cached per warm container until `refreshMarginSeconds` before it
 * expires. On a 401 the token is dropped and fetched again, once; a second 401 is an `AuthError`.
 * The exchange and the cache are `tokenEndpoint`'s; this kind builds the client-credentials request.
 */
import { resolveTokenUrl, tokenEndpoint } from './tokenEndpoint.ts';
import type { AuthFactory } from './types.ts';

export { DEFAULT_TOKEN_LIFETIME_SECONDS } from './tokenEndpoint.ts';

export const oauth2ClientCredentials: AuthFactory<'oauth2ClientCredentials'> = (definition, context) => {
  const tokenUrl = resolveTokenUrl(definition.tokenUrl, context);

  return tokenEndpoint({
    kind: 'oauth2ClientCredentials',
    context,
    refreshMarginSeconds: definition.refreshMarginSeconds,
    async cacheKey() {
      const credentials = await context.credentials();
      return `${tokenUrl.href}|${credentials.require(definition.clientIdKey)}`;
    },
    async requestToken() {
      const credentials = await context.credentials();
      const clientId = credentials.require(definition.clientIdKey);
      const clientSecret = credentials.require(definition.clientSecretKey);
      const params = new URLSearchParams({ grant_type: 'client_credentials' });
      if (definition.scope) params.set('scope', definition.scope);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (definition.clientAuth !== 'body') {
        const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
        context.hide(basic);
        headers.Authorization = `Basic ${basic}`;
      }
      if (definition.clientAuth !== 'basic') {
        params.set('client_id', clientId);
        params.set('client_secret', clientSecret);
      }
      const url = new URL(tokenUrl);
      let body: string | undefined;
      if (definition.paramsIn === 'query') for (const [k, v] of params) url.searchParams.set(k, v);
      else {
        body = params.toString();
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
      }
      return context.send({ method: 'POST', url, headers, body });
    },
    refused: (status) => `refused the client credentials (HTTP ${status})`,
  });
};
