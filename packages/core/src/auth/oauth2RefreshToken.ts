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
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { SecretKey } from '../definition/fields.ts';
import { ConfigurationError } from '../errors.ts';
import { cachedBearer } from './cachedBearer.ts';
import { obtain } from './refreshTokenLease.ts';
import {
  ACCESS_TOKEN_EXPIRES_AT_KEY,
  ACCESS_TOKEN_KEY,
  type RefreshTokenGrant,
  type SecretState,
} from './refreshTokenSecret.ts';
import { oauth2ClientFields, resolveTokenUrl, tokenEndpointFields } from './tokenEndpoint.ts';
import { authKind } from './types.ts';

export {
  ACCESS_TOKEN_EXPIRES_AT_KEY,
  ACCESS_TOKEN_KEY,
  clientRequestTokenOf,
  recoveryStep,
  SECRET_WRITE_ATTEMPTS,
} from './refreshTokenSecret.ts';

/** Access tokens by secret name, shared by the readers of a warm container. */
const warm = new Map<string, { token: string; refreshAt: number }>();

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

export const oauth2RefreshToken = authKind({
  schema: z.strictObject({
    /**
     * OAuth2 refresh token grant (RFC 6749 §6) with rotating, single-use refresh tokens (Xero,
     * QuickBooks): the current refresh token lives in the secret and is replaced there on every
     * exchange, by one Lambda at a time (a lease in the coordination store).
     */
    type: z.literal('oauth2RefreshToken'),
    ...tokenEndpointFields,
    ...oauth2ClientFields,
    /** The secret's key holding the current refresh token (rewritten on each exchange). */
    refreshTokenKey: SecretKey,
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
    const margin = definition.refreshMarginSeconds * 1000;
    const grant: RefreshTokenGrant = {
      definition,
      context,
      tokenUrl,
      where: { source: context.source, url: tokenUrl.origin + tokenUrl.pathname },
      holder: `${process.pid}-${randomUUID()}`,
      refused: undefined,
      saidCoordinationOff: false,
      secretName: () => {
        if (context.secretName) return context.secretName;
        throw new ConfigurationError(
          `SECRET_NAME is not set, and auth "oauth2RefreshToken" keeps its refresh token in it (api-credentials/${context.source})`,
          { where: { source: context.source } },
        );
      },
      usable: (state: SecretState) =>
        state.accessToken !== undefined &&
        state.accessToken !== grant.refused &&
        state.expiresAt !== undefined &&
        Date.now() < state.expiresAt - margin,
      remember: (token, expiresAt) => {
        warm.set(grant.secretName(), { token, refreshAt: expiresAt - margin });
        return token;
      },
    };
    return cachedBearer({
      context,
      cached() {
        const cached = warm.get(grant.secretName());
        return cached && cached.token !== grant.refused && Date.now() < cached.refreshAt
          ? cached.token
          : undefined;
      },
      obtain: () => obtain(grant),
      forget() {
        const cached = context.secretName ? warm.get(context.secretName) : undefined;
        if (cached) {
          grant.refused = cached.token;
          warm.delete(context.secretName!);
        }
      },
    });
  },
});
