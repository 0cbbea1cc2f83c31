/**
 * The exchange of an `oauth2RefreshToken` grant (see `oauth2RefreshToken.ts`): the refresh token
 * presented at the token endpoint, the answer stored as the secret's next version before anything
 * else, a refused token told apart from a race lost to the next lease holder.
 */
import { AuthError, HttpError, SecretError } from '../errors.ts';
import type { HttpResponse } from '../http/types.ts';
import {
  ACCESS_TOKEN_EXPIRES_AT_KEY,
  ACCESS_TOKEN_KEY,
  type RefreshTokenGrant,
  readSecret,
  recoveryStep,
  type SecretState,
  writeSecret,
} from './refreshTokenSecret.ts';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, tokenRequest } from './tokenEndpoint.ts';

/** The `AuthError`s that are a `400 invalid_grant` (the refresh token refused). */
const invalidGrants = new WeakSet<Error>();

/** The token endpoint's answer to the secret's refresh token (a refusal: an `AuthError`). */
async function exchange(grant: RefreshTokenGrant, state: SecretState): Promise<HttpResponse> {
  const { definition, context, tokenUrl } = grant;
  const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: state.refreshToken });
  const clientId = String(state.values[definition.clientIdKey] ?? '');
  const clientSecret = String(state.values[definition.clientSecretKey] ?? '');
  if (!clientId || !clientSecret) {
    const missing = !clientId ? definition.clientIdKey : definition.clientSecretKey;
    throw new SecretError(`secret "${grant.secretName()}" has no key "${missing}"`);
  }
  const request = tokenRequest(definition, tokenUrl, params, { clientId, clientSecret }, context);
  const response = await context.send(request).catch((error: unknown) => {
    if (!(error instanceof HttpError) || error instanceof AuthError) throw error;
    throw refusedError(grant, error.status, error.snippet, error.url);
  });
  if (response.status < 200 || response.status >= 300)
    throw refusedError(grant, response.status, response.body.toString('utf8').slice(0, 200), response.url);
  return response;
}

function refusedError(grant: RefreshTokenGrant, status: number, body: string, url: string): AuthError {
  const { definition, where } = grant;
  const name = grant.secretName();
  const invalidGrant = /invalid_grant/.test(body);
  const why = invalidGrant
    ? `refused the refresh token in secret "${name}" (HTTP ${status} invalid_grant: used already, revoked or expired; no retry can bring it back): ${recoveryStep(name, definition.refreshTokenKey)}`
    : `refused the refresh token request (HTTP ${status}): check the client id and secret in secret "${name}"`;
  // the body is not quoted: an endpoint may echo what it was sent
  const error = new AuthError(`token endpoint ${why}`, { status, url, snippet: '', where });
  if (invalidGrant) invalidGrants.add(error);
  return error;
}

/** Exchanges the secret's refresh token and stores the answer: the new secret version first. */
export async function refresh(grant: RefreshTokenGrant, state: SecretState): Promise<string> {
  const { definition, context, where } = grant;
  const name = grant.secretName();
  let response: HttpResponse;
  try {
    response = await exchange(grant, state);
  } catch (error) {
    // A holder slower than its lease: the next one exchanged the same token and stored the new
    // one. That is a race lost, not a revoked token, if the secret has moved on to a usable version.
    if (!(error instanceof AuthError) || !invalidGrants.has(error)) throw error;
    const latest = await readSecret(grant);
    if (latest.versionId === state.versionId || !grant.usable(latest)) throw error;
    context.logger?.warn(
      `oauth2RefreshToken: the token endpoint refused ${context.source}'s refresh token as used, and secret ${name} had moved on to version ${latest.versionId} meanwhile: using that one`,
    );
    return grant.remember(latest.accessToken!, latest.expiresAt!);
  }
  let json: { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
  try {
    json = JSON.parse(response.body.toString('utf8'));
  } catch {
    json = {};
  }
  const accessToken = typeof json.access_token === 'string' ? json.access_token : '';
  const newRefresh =
    typeof json.refresh_token === 'string' && json.refresh_token ? json.refresh_token : undefined;
  context.hide(...[accessToken, newRefresh].filter((v): v is string => Boolean(v)));
  if (!accessToken) {
    if (newRefresh)
      await writeSecret(
        grant,
        state,
        { ...state.values, [definition.refreshTokenKey]: newRefresh },
        newRefresh,
      );
    throw new AuthError('token endpoint answered the refresh without an access_token', {
      status: response.status,
      url: response.url,
      snippet: '',
      where,
    });
  }
  const lifetime = Number(json.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS);
  const expiresAt =
    Date.now() + (Number.isFinite(lifetime) ? lifetime : DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
  const values = {
    ...state.values,
    [definition.refreshTokenKey]: newRefresh ?? state.refreshToken,
    [ACCESS_TOKEN_KEY]: accessToken,
    [ACCESS_TOKEN_EXPIRES_AT_KEY]: new Date(expiresAt).toISOString(),
  };
  const version = await writeSecret(grant, state, values, newRefresh ?? '', accessToken);
  context.logger?.info(
    `oauth2RefreshToken: refreshed the access token of ${context.source}; secret ${name} version ${version}${newRefresh ? ' holds the new refresh token' : ' (the endpoint kept the refresh token)'}`,
  );
  grant.refused = undefined;
  return grant.remember(accessToken, expiresAt);
}
