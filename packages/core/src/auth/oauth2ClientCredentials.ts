/**
 * OAuth2 client credentials (RFC 6749 §4.4): a token from the token endpoint, sent as
 * `Authorization: Bearer`, cached per warm container until `refreshMarginSeconds` before it
 * expires. On a 401 the token is dropped and fetched again, once; a second 401 is an `AuthError`.
 * The exchange and the cache are `tokenEndpoint`'s; this kind builds the client-credentials request.
 */
import * as z from 'zod';
import {
  oauth2ClientFields,
  resolveTokenUrl,
  tokenEndpoint,
  tokenEndpointFields,
  tokenRequest,
} from './tokenEndpoint.ts';
import { authKind } from './types.ts';

export { DEFAULT_TOKEN_LIFETIME_SECONDS } from './tokenEndpoint.ts';

export const oauth2ClientCredentials = authKind({
  schema: z.strictObject({
    type: z.literal('oauth2ClientCredentials'),
    ...tokenEndpointFields,
    ...oauth2ClientFields,
    scope: z.string().optional(),
  }),
  doc: '`Authorization: Bearer <token>` from `tokenUrl` (relative to the base URL, or `<SOURCE>_AUTH_TOKEN_URL` / `AUTH_TOKEN_URL`); client auth `basic` or `body`; params in the `body` or `query`; token cached per warm container until `refreshMarginSeconds` before expiry; on a 401 renewed once and the request retried',
  examples: [
    {
      type: 'oauth2ClientCredentials',
      tokenUrl: '/oauth/token',
      clientIdKey: 'client_id',
      clientSecretKey: 'client_secret',
    },
  ],
  generator: { offered: true },
  secretKeyFields: ['clientIdKey', 'clientSecretKey'],
  env: ['AUTH_TOKEN_URL'],
  create: (definition, context) => {
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
        return context.send(tokenRequest(definition, tokenUrl, params, { clientId, clientSecret }, context));
      },
      refused: (status) => `refused the client credentials (HTTP ${status})`,
    });
  },
});
