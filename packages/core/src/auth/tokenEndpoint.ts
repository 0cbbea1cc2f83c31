/**
 * The part the token-endpoint auth kinds (OAuth2 client credentials, JWT bearer) share: resolve the
 * token URL, exchange a kind-built request there for an `access_token`, send it as
 * `Authorization: Bearer`, cache it per warm container until `refreshMarginSeconds` before it
 * expires (`expires_in`, else {@link DEFAULT_TOKEN_LIFETIME_SECONDS}), keep one fetch in flight,
 * and drop it on a 401 so the next try fetches a new one (once; a second 401 is an `AuthError`).
 * A refused or unreadable answer is an `AuthError`. Each kind only says how it asks for a token.
 */
import * as z from 'zod';
import { SecretKey } from '../definition/fields.ts';
import { AuthError } from '../errors.ts';
import type { HttpRequest, HttpResponse } from '../http/types.ts';
import { cachedBearer } from './cachedBearer.ts';
import type { AuthContext, AuthProvider } from './types.ts';

/** Lifetime assumed when the token response has no `expires_in`. @default 3600 */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

interface CachedToken {
  token: string;
  /** Epoch ms after which it is not used any more (expiry minus the margin). */
  refreshAt: number;
}

/** Tokens by auth kind and the kind's cache key: shared by the readers of a warm container. */
const tokens = new Map<string, CachedToken>();

/** The definition's token URL (or `AUTH_TOKEN_URL`), resolved against the base URL. */
export function resolveTokenUrl(definitionTokenUrl: string, context: AuthContext): URL {
  return new URL(context.tokenUrl ?? definitionTokenUrl, `${context.baseUrl.replace(/\/?$/, '/')}`);
}

/** The token endpoint's fields every token kind has (schema shapes, spread into each kind's schema). */
export const tokenEndpointFields = {
  /** Absolute, or relative to the base URL. `<SOURCE>_AUTH_TOKEN_URL`, else `AUTH_TOKEN_URL`, replaces it. */
  tokenUrl: z.string().min(1),
  /** Refresh this many seconds before `expires_in` runs out. @default 60 */
  refreshMarginSeconds: z.number().int().nonnegative().default(60),
};

/** An OAuth2 client's fields (client credentials, refresh token): its id and secret, how it sends them. */
export const oauth2ClientFields = {
  clientIdKey: SecretKey,
  clientSecretKey: SecretKey,
  /**
   * How the client authenticates to the token endpoint (RFC 6749 §2.3.1): a Basic header (Xero,
   * QuickBooks), `client_id`/`client_secret` params (Zoho), or both (Hotmart). @default 'basic'
   */
  clientAuth: z.enum(['basic', 'body', 'both']).default('basic'),
  /** Where grant_type & co go: a form body, or the query string (Hotmart). @default 'body' */
  paramsIn: z.enum(['body', 'query']).default('body'),
};

/** How a client authenticates to a token endpoint and where the grant's params go (OAuth2 kinds). */
export interface TokenClient {
  clientAuth: 'basic' | 'body' | 'both';
  paramsIn: 'body' | 'query';
}

/**
 * The POST to a token endpoint (RFC 6749 §2.3.1, §4.4, §6): the grant's `params`, the client's id
 * and secret as a Basic header and/or params (`clientAuth`), all in a form body or the query
 * (`paramsIn`). The Basic value is hidden from all output.
 */
export function tokenRequest(
  client: TokenClient,
  tokenUrl: URL,
  params: URLSearchParams,
  credentials: { clientId: string; clientSecret: string },
  context: AuthContext,
): HttpRequest {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (client.clientAuth !== 'body') {
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
    context.hide(basic);
    headers.Authorization = `Basic ${basic}`;
  }
  if (client.clientAuth !== 'basic') {
    params.set('client_id', credentials.clientId);
    params.set('client_secret', credentials.clientSecret);
  }
  const url = new URL(tokenUrl);
  let body: string | undefined;
  if (client.paramsIn === 'query') for (const [k, v] of params) url.searchParams.set(k, v);
  else {
    body = params.toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  return { method: 'POST', url, headers, body };
}

export interface TokenEndpointOptions {
  /** Names the kind in the cache, so two kinds never share a token. */
  kind: string;
  context: AuthContext;
  refreshMarginSeconds: number;
  /** The cache key within the kind (token URL and who asks). */
  cacheKey(): Promise<string>;
  /** Builds and sends the kind's token request. */
  requestToken(): Promise<HttpResponse>;
  /** Completes `token endpoint …` when it answers outside 2xx. */
  refused(status: number): string;
}

export function tokenEndpoint(options: TokenEndpointOptions): AuthProvider {
  const { context } = options;
  let cacheKey: string | undefined;

  const keyOfCache = async () => `${options.kind}|${await options.cacheKey()}`;

  async function fetchToken(): Promise<string> {
    const response = await options.requestToken();
    const fail = (why: string) =>
      new AuthError(`token endpoint ${why}`, {
        status: response.status,
        url: response.url,
        snippet: '',
        where: { source: context.source, url: response.url },
      });
    if (response.status < 200 || response.status >= 300) throw fail(options.refused(response.status));
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
    cacheKey = await keyOfCache();
    tokens.set(cacheKey, {
      token: json.access_token,
      refreshAt: Date.now() + Math.max(0, seconds - options.refreshMarginSeconds) * 1000,
    });
    return json.access_token;
  }

  return cachedBearer({
    context,
    async cached() {
      cacheKey ??= await keyOfCache();
      const cached = tokens.get(cacheKey);
      return cached && Date.now() < cached.refreshAt ? cached.token : undefined;
    },
    obtain: fetchToken,
    forget() {
      if (cacheKey !== undefined) tokens.delete(cacheKey);
    },
  });
}
