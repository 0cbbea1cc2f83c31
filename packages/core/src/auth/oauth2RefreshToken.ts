/**
 * OAuth2 refresh token grant (RFC 6749 §6) for APIs whose refresh tokens rotate and are single-use:
 * each exchange answers a new refresh token and invalidates the one presented (Xero: "you hand in
 * Refresh Token A, and receive Token B", with a 30-minute grace for a lost response; QuickBooks
 * Online: refresh "using the latest refresh_token returned to you from the previous request";
 * RFC 6749 §6: the client "MUST discard the old refresh token and replace it with the new";
 * RFC 6819 §5.2.2.3 and the OAuth 2.0 Security BCP (RFC 9700 §4.14.2) on refresh token rotation,
 * where a reused refresh token is refused and may revoke the whole grant). An endpoint that does not
 * rotate (Zoho answers no `refresh_token`; its limit is 10 access tokens per 10 minutes) keeps the
 * stored one, and gains from the single refresher all the same.
 *
 * So many Lambdas of one source must not each refresh: the one that presents a spent token gets
 * `invalid_grant` and, at some vendors, revokes the grant for all. Here:
 * - The secret (`SECRET_NAME`) holds the current refresh token (`refreshTokenKey`) and, written by
 *   this kind, the current access token and its expiry ({@link ACCESS_TOKEN_KEY},
 *   {@link ACCESS_TOKEN_EXPIRES_AT_KEY}). The access token is kept in the secret, not in the
 *   coordination table: it is a credential, and the secret is where credentials are encrypted,
 *   audited (CloudTrail), read by the role already and never shown by a console's item view, a
 *   point-in-time export or a stream of the table; and one `PutSecretValue` then carries the new
 *   refresh token and the access token together, so no reader ever sees one without the other.
 * - A Lambda with a valid access token in memory (warm) or in the secret uses it. Otherwise it takes
 *   the lease `oauth2-refresh|<secret>` in the coordination store (`coordination/lease.ts`), reads
 *   the secret again (another may have refreshed meanwhile: then no exchange), exchanges the refresh
 *   token and, before anything else, writes the new version (`PutSecretValue`, AWSCURRENT, with a
 *   `ClientRequestToken` hashed from the secret's name and the tokens of this exchange, so a retry
 *   of the write, ours or the SDK's, can never make a second version). Then it releases the lease.
 * - The others wait, with backoff and for at most `waitSeconds`, watching the lease item (DynamoDB,
 *   not the secret); when it changes hands or is released they read the secret and use its access
 *   token. A lease whose holder crashed expires after `leaseSeconds`; the next taker re-reads the
 *   secret's version before it exchanges anything.
 * - The loss window (the endpoint answered, the write failed) is the write alone: the write is
 *   retried with the same client request token, and if it still fails the result is a fatal
 *   `RefreshTokenLostError` (alarmed by a log metric filter on its name) whose message and log line
 *   name the source and secret only; the recovery is in auth/README.md.
 * - A refused refresh token (`400 invalid_grant`: used already, revoked or expired) is an `AuthError`
 *   naming the source, the secret and the same recovery: no retry can bring it back. Unless the
 *   secret moved on meanwhile (a holder slower than its lease raced the next one, which stored a new
 *   version): then that version's access token is used.
 * A coordination store that does not answer is a retryable `TransientError`: refreshing without the
 * lease could spend a token another Lambda is spending.
 * Without a coordination table (local runs) the process refreshes alone, with the same secret
 * write, and logs once that coordination is off. Tokens are stripped from all output as soon as
 * they are known (`context.hide`), and never logged.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { CoordinationUnavailable } from '../coordination/CoordinationStore.ts';
import { acquireLease, type Lease, releaseLease } from '../coordination/lease.ts';
import { SecretKey } from '../definition/fields.ts';
import { RefreshTokenLostError } from '../errors/RefreshTokenLostError.ts';
import { AuthError, ConfigurationError, HttpError, SecretError, TransientError } from '../errors.ts';
import type { HttpResponse } from '../http/types.ts';
import { createSecretHint } from '../secrets/credentials.ts';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, resolveTokenUrl } from './tokenEndpoint.ts';
import { type AuthContext, authKind } from './types.ts';

/** The secret's key this kind writes the current access token under. */
export const ACCESS_TOKEN_KEY = 'access_token';
/** The secret's key this kind writes the access token's expiry under (ISO 8601, UTC). */
export const ACCESS_TOKEN_EXPIRES_AT_KEY = 'access_token_expires_at';
/** Attempts at writing the new secret version, with the same client request token. @default 4 */
export const SECRET_WRITE_ATTEMPTS = 4;

interface SecretState {
  versionId: string;
  values: Record<string, unknown>;
  refreshToken: string;
  accessToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
}

let sharedClient: SecretsManagerClient | undefined;
function secretsClient(): SecretsManagerClient {
  sharedClient ??= new SecretsManagerClient({});
  return sharedClient;
}

/** The `AuthError`s that are a `400 invalid_grant` (the refresh token refused). */
const invalidGrants = new WeakSet<Error>();

/** Access tokens by secret name, shared by the readers of a warm container. */
const warm = new Map<string, { token: string; refreshAt: number }>();

/** What to do when the secret's refresh token is gone: authorize again and put the new one. */
export function recoveryStep(secretName: string, refreshTokenKey: string): string {
  return (
    `authorize the app again (the vendor's consent flow), then put the new refresh token into the secret: ` +
    `aws secretsmanager get-secret-value --secret-id ${secretName} --query SecretString --output text > s.json; ` +
    `edit "${refreshTokenKey}" in s.json and delete "${ACCESS_TOKEN_KEY}"/"${ACCESS_TOKEN_EXPIRES_AT_KEY}"; ` +
    `aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string file://s.json; rm s.json`
  );
}

/** A UUID-shaped client request token from what this exchange was: the same exchange, the same token. */
export function clientRequestTokenOf(secretName: string, ...tokens: string[]): string {
  const h = createHash('sha256')
    .update([secretName, ...tokens].join('\n'))
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The README's "sends" cell (definition/README.md, "Auth kinds"). */
const DOC =
  'RFC 6749 §6 refresh token grant for rotating, single-use refresh tokens (Xero, QuickBooks): `grant_type=refresh_token` at `tokenUrl` (or `<SOURCE>_AUTH_TOKEN_URL` / `AUTH_TOKEN_URL`), client auth `basic`/`body`/`both`, params in the `body` or `query`; one Lambda at a time refreshes under a lease in the coordination store (`leaseSeconds`, default 30; the others wait up to `waitSeconds`, default 60) and writes the new refresh token with the access token and its expiry into the secret as a new version at once (`PutSecretValue`, a client request token derived from the exchange); the others read the access token from the secret; `invalid_grant` is an `AuthError` naming the recovery; a token answered but not stored is a fatal, alarmed `RefreshTokenLostError`; without `COORDINATION_TABLE` the process refreshes alone and says so. The role needs `secretsmanager:PutSecretValue` on its own secret: [auth/README.md](../auth/README.md). Tributary also writes the secret keys `access_token` and `access_token_expires_at`';

/** Fields that only make sense together (`checkDefinition` adds the path `auth.`). */
function checkRefreshToken(auth: {
  waitSeconds: number;
  leaseSeconds: number;
  clientIdKey: string;
  clientSecretKey: string;
  refreshTokenKey: string;
}): string[] {
  const problems: string[] = [];
  if (auth.waitSeconds < auth.leaseSeconds)
    problems.push(
      `waitSeconds: ${auth.waitSeconds} is shorter than auth.leaseSeconds: ${auth.leaseSeconds}: a Lambda would give up before a crashed holder's lease runs out; make waitSeconds at least leaseSeconds`,
    );
  const fields = {
    clientIdKey: auth.clientIdKey,
    clientSecretKey: auth.clientSecretKey,
    refreshTokenKey: auth.refreshTokenKey,
  };
  const keys = Object.values(fields);
  const written = [ACCESS_TOKEN_KEY, ACCESS_TOKEN_EXPIRES_AT_KEY];
  for (const [field, key] of Object.entries(fields)) {
    if (written.includes(key))
      problems.push(
        `${field}: "${key}" is the secret key Tributary writes the access token's state under; choose another`,
      );
    else if (keys.indexOf(key) !== keys.lastIndexOf(key))
      problems.push(
        `${field}: "${key}" is also another of clientIdKey, clientSecretKey, refreshTokenKey; each needs its own key`,
      );
  }
  return problems;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const oauth2RefreshToken = authKind({
  schema: z.strictObject({
    /**
     * OAuth2 refresh token grant (RFC 6749 §6) with rotating, single-use refresh tokens (Xero,
     * QuickBooks): the current refresh token lives in the secret and is replaced there on every
     * exchange, by one Lambda at a time (a lease in the coordination store).
     */
    type: z.literal('oauth2RefreshToken'),
    /** Absolute, or relative to the base URL. `<SOURCE>_AUTH_TOKEN_URL`, else `AUTH_TOKEN_URL`, replaces it. */
    tokenUrl: z.string().min(1),
    clientIdKey: SecretKey,
    clientSecretKey: SecretKey,
    /** The secret's key holding the current refresh token (rewritten on each exchange). */
    refreshTokenKey: SecretKey,
    /** Client auth at the token endpoint: a Basic header (Xero, QuickBooks), params (Zoho), or both. @default 'basic' */
    clientAuth: z.enum(['basic', 'body', 'both']).default('basic'),
    /** Where grant_type & co go: a form body, or the query string. @default 'body' */
    paramsIn: z.enum(['body', 'query']).default('body'),
    /** Refresh this many seconds before `expires_in` runs out. @default 60 */
    refreshMarginSeconds: z.number().int().nonnegative().default(60),
    /** How long one Lambda holds the refresh lease; a crashed holder blocks the others this long. @default 30 */
    leaseSeconds: z.number().int().positive().max(300).default(30),
    /** How long a Lambda waits for another's refresh before a retryable `TransientError`. @default 60 */
    waitSeconds: z.number().int().positive().max(600).default(60),
  }),
  doc: DOC,
  examples: [
    {
      type: 'oauth2RefreshToken',
      tokenUrl: 'https://identity.xero.com/connect/token',
      clientIdKey: 'client_id',
      clientSecretKey: 'client_secret',
      refreshTokenKey: 'refresh_token',
    },
  ],
  generator: {
    offered: false,
    instead:
      'its refresh token rotates in the secret, which the generated double and test would have to rewrite; generate the source with --auth none, write the oauth2RefreshToken auth block as packages/core/src/definition/README.md shows (auth kinds table), and add to its function.yml the OwnSecretRotation statement and the RefreshTokenLost metric filter (packages/core/src/auth/README.md)',
  },
  secretKeyFields: ['clientIdKey', 'clientSecretKey', 'refreshTokenKey'],
  env: ['AUTH_TOKEN_URL'],
  check: checkRefreshToken,
  create: (definition, context) => {
    const tokenUrl = resolveTokenUrl(definition.tokenUrl, context);
    const where = { source: context.source, url: tokenUrl.origin + tokenUrl.pathname };
    const margin = definition.refreshMarginSeconds * 1000;
    const holder = `${process.pid}-${randomUUID()}`;
    let pending: Promise<string> | undefined;
    /** The token the API refused (401): not to be taken from the secret again. */
    let refused: string | undefined;
    let saidCoordinationOff = false;

    const secretName = (): string => {
      if (context.secretName) return context.secretName;
      throw new ConfigurationError(
        `SECRET_NAME is not set, and auth "oauth2RefreshToken" keeps its refresh token in it (api-credentials/${context.source})`,
        { where: { source: context.source } },
      );
    };
    const usable = (state: SecretState) =>
      state.accessToken !== undefined &&
      state.accessToken !== refused &&
      state.expiresAt !== undefined &&
      Date.now() < state.expiresAt - margin;

    function remember(token: string, expiresAt: number): string {
      warm.set(secretName(), { token, refreshAt: expiresAt - margin });
      return token;
    }

    async function readSecret(): Promise<SecretState> {
      const name = secretName();
      let answer: { SecretString?: string; VersionId?: string };
      try {
        answer = await secretsClient().send(new GetSecretValueCommand({ SecretId: name }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) {
          const keys = [definition.clientIdKey, definition.clientSecretKey, definition.refreshTokenKey];
          throw new SecretError(
            `secret "${name}" not found in Secrets Manager: ${createSecretHint(name, keys)}`,
          );
        }
        const reason = (error as Error)?.name ?? 'Error';
        throw new TransientError(`secret "${name}" could not be read (${reason})`, { attempts: 1, reason });
      }
      let values: unknown;
      try {
        values = JSON.parse(answer.SecretString ?? '');
      } catch {
        values = undefined; // never the parser's message: it quotes the secret's text
      }
      if (!values || typeof values !== 'object' || Array.isArray(values))
        throw new SecretError(`secret "${name}" is not a JSON object of key/value pairs`);
      const record = values as Record<string, unknown>;
      context.hide(...Object.values(record).filter((v): v is string => typeof v === 'string' && v !== ''));
      const text = (key: string) =>
        typeof record[key] === 'string' && record[key] ? String(record[key]) : undefined;
      const refreshToken = text(definition.refreshTokenKey);
      if (!refreshToken)
        throw new SecretError(
          `secret "${name}" has no key "${definition.refreshTokenKey}" (the refresh token): ${recoveryStep(name, definition.refreshTokenKey)}`,
        );
      const expires = Date.parse(text(ACCESS_TOKEN_EXPIRES_AT_KEY) ?? '');
      return {
        versionId: answer.VersionId ?? '',
        values: record,
        refreshToken,
        accessToken: text(ACCESS_TOKEN_KEY),
        expiresAt: Number.isFinite(expires) ? expires : undefined,
      };
    }

    async function exchange(state: SecretState): Promise<HttpResponse> {
      const params = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: state.refreshToken });
      const clientId = String(state.values[definition.clientIdKey] ?? '');
      const clientSecret = String(state.values[definition.clientSecretKey] ?? '');
      if (!clientId || !clientSecret) {
        const missing = !clientId ? definition.clientIdKey : definition.clientSecretKey;
        throw new SecretError(`secret "${secretName()}" has no key "${missing}"`);
      }
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
      const response = await context.send({ method: 'POST', url, headers, body }).catch((error: unknown) => {
        if (!(error instanceof HttpError) || error instanceof AuthError) throw error;
        throw refusedError(error.status, error.snippet, error.url);
      });
      if (response.status < 200 || response.status >= 300)
        throw refusedError(response.status, response.body.toString('utf8').slice(0, 200), response.url);
      return response;
    }

    function refusedError(status: number, body: string, url: string): AuthError {
      const name = secretName();
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
    async function refresh(state: SecretState): Promise<string> {
      const name = secretName();
      let response: HttpResponse;
      try {
        response = await exchange(state);
      } catch (error) {
        // A holder slower than its lease: the next one exchanged the same token and stored the new
        // one. That is a race lost, not a revoked token, if the secret has moved on to a usable version.
        if (!(error instanceof AuthError) || !invalidGrants.has(error)) throw error;
        const latest = await readSecret();
        if (latest.versionId === state.versionId || !usable(latest)) throw error;
        context.logger?.warn(
          `oauth2RefreshToken: the token endpoint refused ${context.source}'s refresh token as used, and secret ${name} had moved on to version ${latest.versionId} meanwhile: using that one`,
        );
        return remember(latest.accessToken!, latest.expiresAt!);
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
          await writeSecret(state, { ...state.values, [definition.refreshTokenKey]: newRefresh }, newRefresh);
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
      const version = await writeSecret(state, values, newRefresh ?? '', accessToken);
      context.logger?.info(
        `oauth2RefreshToken: refreshed the access token of ${context.source}; secret ${name} version ${version}${newRefresh ? ' holds the new refresh token' : ' (the endpoint kept the refresh token)'}`,
      );
      refused = undefined;
      return remember(accessToken, expiresAt);
    }

    /** `PutSecretValue` with one client request token for this exchange, retried; the version id. */
    async function writeSecret(
      state: SecretState,
      values: Record<string, unknown>,
      ...tokens: string[]
    ): Promise<string> {
      const name = secretName();
      const ClientRequestToken = clientRequestTokenOf(name, state.versionId, state.refreshToken, ...tokens);
      const SecretString = JSON.stringify(values);
      let last: unknown;
      for (let attempt = 1; attempt <= SECRET_WRITE_ATTEMPTS; attempt++) {
        try {
          const answer = await secretsClient().send(
            new PutSecretValueCommand({ SecretId: name, SecretString, ClientRequestToken }),
          );
          return answer.VersionId ?? ClientRequestToken;
        } catch (error) {
          last = error;
          if (attempt < SECRET_WRITE_ATTEMPTS) await sleep(100 * 2 ** attempt);
        }
      }
      const reason = (last as Error)?.name ?? 'Error';
      const error = new RefreshTokenLostError(
        `the token endpoint answered a new refresh token for ${context.source} and secret "${name}" could not be written with it after ${SECRET_WRITE_ATTEMPTS} attempts (${reason}): the refresh token the secret holds is spent; ${recoveryStep(name, definition.refreshTokenKey)}`,
        { secretName: name, where: { source: context.source } },
      );
      // ERROR where the logger has it (Powertools' does); the metric filter matches the name either way
      const logger = context.logger as
        | (AuthContext['logger'] & { error?: (m: string, ...x: object[]) => void })
        | undefined;
      (logger?.error ?? logger?.warn)?.call(logger, `RefreshTokenLostError: ${error.message}`, {
        errorName: error.name,
        source: context.source,
        secretName: name,
      });
      throw error;
    }

    /** Under the lease: read the secret again (someone may have refreshed), else exchange. */
    async function refreshHolding(
      store: NonNullable<AuthContext['coordination']>,
      lease: Lease,
    ): Promise<string> {
      try {
        const state = await readSecret();
        if (usable(state)) return remember(state.accessToken!, state.expiresAt!);
        return await refresh(state);
      } finally {
        await releaseLease(store, lease).catch((error: unknown) => {
          context.logger?.warn(
            `oauth2RefreshToken: the refresh lease of ${context.source} could not be released (${(error as Error)?.name}); it expires in ${definition.leaseSeconds} s`,
          );
        });
      }
    }

    async function obtain(): Promise<string> {
      const state = await readSecret();
      if (usable(state)) return remember(state.accessToken!, state.expiresAt!);
      const store = context.coordination;
      if (!store) {
        if (!saidCoordinationOff) {
          saidCoordinationOff = true;
          context.logger?.info(
            `oauth2RefreshToken: coordination is off (COORDINATION_TABLE not set): ${context.source} refreshes its token in this process alone; do not run two at once`,
          );
        }
        return refresh(state);
      }
      const key = `oauth2-refresh|${secretName()}`;
      const deadline = Date.now() + definition.waitSeconds * 1000;
      let seen: number | undefined;
      let delay = 50;
      for (;;) {
        const attempt = await acquireLease(store, key, { holder, seconds: definition.leaseSeconds }).catch(
          (error: unknown) => {
            // Refreshing without the lease could spend a token another Lambda is spending: wait for a retry.
            if (!(error instanceof CoordinationUnavailable)) throw error;
            throw new TransientError(
              `the refresh lease of ${context.source} could not be taken, so its token is not refreshed now: ${error.message}`,
              { attempts: 1, reason: 'coordination store unavailable', where },
            );
          },
        );
        if (attempt.acquired) {
          if (attempt.tookOver)
            context.logger?.warn(
              `oauth2RefreshToken: took over the refresh lease of ${context.source} after its holder's ${definition.leaseSeconds} s ran out (a crashed Lambda?); re-reading the secret first`,
            );
          return refreshHolding(store, attempt.lease);
        }
        // Held by another: once it changed hands or was released, the secret may hold the new token.
        if (seen !== undefined && attempt.version !== seen) {
          const latest = await readSecret();
          if (usable(latest)) return remember(latest.accessToken!, latest.expiresAt!);
        }
        if (seen === undefined)
          context.logger?.debug(
            `oauth2RefreshToken: another Lambda of ${context.source} is refreshing; waiting`,
          );
        seen = attempt.version;
        if (Date.now() + delay > deadline)
          throw new TransientError(
            `waited ${definition.waitSeconds} s for another Lambda's token refresh of ${context.source} (lease ${key})`,
            { attempts: 1, reason: 'refresh lease held', where },
          );
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }

    async function token(): Promise<string> {
      const cached = warm.get(secretName());
      if (cached && cached.token !== refused && Date.now() < cached.refreshAt) {
        context.hide(cached.token);
        return cached.token;
      }
      pending ??= obtain().finally(() => {
        pending = undefined;
      });
      return pending;
    }

    return {
      async apply(request) {
        request.headers.Authorization = `Bearer ${await token()}`;
      },
      async refresh() {
        const cached = context.secretName ? warm.get(context.secretName) : undefined;
        if (cached) {
          refused = cached.token;
          warm.delete(context.secretName!);
        }
        return true;
      },
      queryParams: [],
    };
  },
});
