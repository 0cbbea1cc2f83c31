/**
 * OAuth2 client credentials (RFC 6749 §4.4): a token from the token endpoint, sent as
 * `Authorization: Bearer`, cached per warm container until `refreshMarginSeconds` before it
 * expires. On a 401 the token is dropped and fetched again, once; a second 401 is an `AuthError`.
 */
import { AuthError } from '../errors.ts';
import type { AuthFactory } from './types.ts';

/** Lifetime assumed when the token response has no `expires_in`. @default 3600 */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

interface CachedToken {
  token: string;
  /** Epoch ms after which it is not used any more (expiry minus the margin). */
  refreshAt: number;
}

/** Tokens by token URL and client id: shared by the readers of a warm container. */
const tokens = new Map<string, CachedToken>();

export const oauth2ClientCredentials: AuthFactory<'oauth2ClientCredentials'> = (definition, context) => {
  const tokenUrl = new URL(
    context.tokenUrl ?? definition.tokenUrl,
    `${context.baseUrl.replace(/\/?$/, '/')}`,
  );
  let pending: Promise<string> | undefined;
  let cacheKey: string | undefined;

  async function fetchToken(): Promise<string> {
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
    const response = await context.send({ method: 'POST', url, headers, body });
    const fail = (why: string) =>
      new AuthError(`token endpoint ${why}`, {
        status: response.status,
        url: response.url,
        snippet: '',
        where: { source: context.source, url: response.url },
      });
    if (response.status < 200 || response.status >= 300) {
      throw fail(`refused the client credentials (HTTP ${response.status})`);
    }
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw fail('answered with a body that is not JSON');
    }
    if (typeof json?.access_token !== 'string' || !json.access_token)
      throw fail('answered without an access_token');
    context.hide(json.access_token);
    const lifetime = Number(json.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS);
    const seconds = Number.isFinite(lifetime) ? lifetime : DEFAULT_TOKEN_LIFETIME_SECONDS;
    cacheKey = `${tokenUrl.href}|${clientId}`;
    tokens.set(cacheKey, {
      token: json.access_token,
      refreshAt: Date.now() + Math.max(0, seconds - definition.refreshMarginSeconds) * 1000,
    });
    return json.access_token;
  }

  async function token(): Promise<string> {
    if (cacheKey === undefined) {
      const credentials = await context.credentials();
      cacheKey = `${tokenUrl.href}|${credentials.require(definition.clientIdKey)}`;
    }
    const cached = tokens.get(cacheKey);
    if (cached && Date.now() < cached.refreshAt) {
      context.hide(cached.token);
      return cached.token;
    }
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  return {
    async apply(request) {
      request.headers.Authorization = `Bearer ${await token()}`;
    },
    async refresh() {
      if (cacheKey !== undefined) tokens.delete(cacheKey);
      return true;
    },
    queryParams: [],
  };
};
