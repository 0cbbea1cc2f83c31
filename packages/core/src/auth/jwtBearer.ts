/**
 * JWT bearer grant (RFC 7523 §2.1): an assertion signed with the source's RSA private key (RS256,
 * by `jose`) is exchanged at the token endpoint for an access token
 * (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>`), sent as
 * `Authorization: Bearer`, cached per warm container until `refreshMarginSeconds` before it expires.
 * On a 401 the token is dropped and a new assertion exchanged, once; a second 401 is an `AuthError`.
 *
 * Claims: `iss` (and `sub`, if declared) from the secret, `aud` (the definition's, else the token
 * URL), `iat`, `exp = iat + assertionLifetimeSeconds`, a fresh `jti`, `scope` and any `claims`.
 * The private key is read from the secret and never shown: a key that cannot be read is an
 * `AuthError` naming the secret's key, not the key's text (jose's own error is not passed on).
 * The exchange and the cache are `tokenEndpoint`'s; this kind builds the assertion request.
 */
import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';

type SigningKey = Awaited<ReturnType<typeof importPKCS8>>;

import * as z from 'zod';
import { Scalar, SecretKey } from '../definition/fields.ts';
import { AuthError, HttpError } from '../errors.ts';
import type { HttpResponse } from '../http/types.ts';
import type { Credentials } from '../secrets/credentials.ts';
import { resolveTokenUrl, tokenEndpoint, tokenEndpointFields } from './tokenEndpoint.ts';
import { authKind } from './types.ts';

/** The fields of the auth block the assertion is made of. */
interface AssertionFields {
  issuerKey: string;
  subjectKey?: string | undefined;
  audience?: string | undefined;
  scope?: string | undefined;
  claims: Record<string, string | number | boolean>;
  keyIdKey?: string | undefined;
  assertionLifetimeSeconds: number;
}

/** The RS256 assertion (RFC 7523 §3): `iss`/`sub`/`kid` from the secret, a fresh `jti`. */
function signAssertion(
  definition: AssertionFields,
  tokenUrl: URL,
  credentials: Credentials,
  signingKey: SigningKey,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    ...definition.claims,
    ...(definition.scope !== undefined && { scope: definition.scope }),
  })
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      ...(definition.keyIdKey && { kid: credentials.require(definition.keyIdKey) }),
    })
    .setIssuer(credentials.require(definition.issuerKey))
    .setAudience(definition.audience ?? tokenUrl.href)
    .setIssuedAt(now)
    .setExpirationTime(now + definition.assertionLifetimeSeconds)
    .setJti(randomUUID());
  if (definition.subjectKey) jwt.setSubject(credentials.require(definition.subjectKey));
  return jwt.sign(signingKey);
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const jwtBearer = authKind({
  schema: z.strictObject({
    /** JWT bearer grant (RFC 7523 §2.1): Salesforce's JWT flow, Google service accounts. */
    type: z.literal('jwtBearer'),
    ...tokenEndpointFields,
    /** The secret's key holding the RSA private key, PEM (PKCS#8 `BEGIN PRIVATE KEY`). */
    privateKeyKey: SecretKey,
    /** The secret's key holding `iss` (Salesforce: the connected app's consumer key; Google: the service account's email). */
    issuerKey: SecretKey,
    /** The secret's key holding `sub` (Salesforce: the username; Google: a user to impersonate). Absent = no `sub`. */
    subjectKey: SecretKey.optional(),
    /** `aud`. @default the token URL in use (Google); Salesforce wants `https://login.salesforce.com` */
    audience: z.string().min(1).optional(),
    /** A `scope` claim (Google: space-separated scopes). */
    scope: z.string().min(1).optional(),
    /** More claims, as given. */
    claims: z.record(z.string(), Scalar).default({}),
    /** The secret's key holding the key id, sent as the JWT header's `kid`. */
    keyIdKey: SecretKey.optional(),
    /** `exp - iat` of each assertion, seconds (Google allows at most 3600). @default 300 */
    assertionLifetimeSeconds: z.number().int().positive().max(3600).default(300),
  }),
  doc: "RFC 7523 JWT bearer grant (Salesforce JWT flow, Google service accounts): an RS256 assertion signed with the secret's PKCS#8 PEM key (`jose`), claims `iss`/`sub` from the secret, `aud` (default: the token URL), `iat`, `exp` (`assertionLifetimeSeconds`, default 300), `jti`, optional `scope` and `claims`, `kid` from `keyIdKey`; exchanged at `tokenUrl` (or `<SOURCE>_AUTH_TOKEN_URL` / `AUTH_TOKEN_URL`) with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…`; token cached per warm container until `refreshMarginSeconds` before expiry; on a 401 a new assertion exchanged once and the request retried; the key never logged or in an error",
  examples: [
    {
      type: 'jwtBearer',
      tokenUrl: '/services/oauth2/token',
      privateKeyKey: 'private_key',
      issuerKey: 'client_id',
      subjectKey: 'username',
      audience: 'https://login.salesforce.com',
    },
    {
      type: 'jwtBearer',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      privateKeyKey: 'private_key',
      issuerKey: 'client_email',
      keyIdKey: 'private_key_id',
      scope: 'https://www.googleapis.com/auth/analytics.readonly',
    },
  ],
  generator: {
    offered: false,
    instead:
      'its secret is an RSA private key the generated double and test would have to mint; generate the source with --auth none, then write the jwtBearer auth block as packages/core/src/definition/README.md shows (auth kinds table)',
  },
  secretKeyFields: ['privateKeyKey', 'issuerKey', 'subjectKey', 'keyIdKey'],
  env: ['AUTH_TOKEN_URL'],
  create: (definition, context) => {
    const tokenUrl = resolveTokenUrl(definition.tokenUrl, context);
    const where = { source: context.source, url: tokenUrl.origin + tokenUrl.pathname };
    let key: Promise<SigningKey> | undefined;

    async function privateKey(pem: string): Promise<SigningKey> {
      key ??= importPKCS8(pem, 'RS256').catch(() => {
        key = undefined;
        throw new AuthError(
          `the secret's "${definition.privateKeyKey}" is not an RSA private key in PKCS#8 PEM (a "BEGIN PRIVATE KEY" header, not "BEGIN RSA PRIVATE KEY"); convert a PKCS#1 key with \`openssl pkcs8 -topk8 -nocrypt\``,
          { status: 0, url: where.url, snippet: '', where },
        );
      });
      return key;
    }

    async function keyOfCache(): Promise<string> {
      const credentials = await context.credentials();
      const sub = definition.subjectKey ? credentials.require(definition.subjectKey) : '';
      return `${tokenUrl.href}|${credentials.require(definition.issuerKey)}|${sub}`;
    }

    async function requestToken(): Promise<HttpResponse> {
      const credentials = await context.credentials();
      const signingKey = await privateKey(credentials.require(definition.privateKeyKey));
      const assertion = await signAssertion(definition, tokenUrl, credentials, signingKey);
      context.hide(assertion);

      const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString();
      return context
        .send({
          method: 'POST',
          url: new URL(tokenUrl),
          headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
        })
        .catch((error: unknown) => {
          // a 4xx the response table does not retry (400 invalid_grant): the assertion was refused
          if (!(error instanceof HttpError) || error instanceof AuthError) throw error;
          throw new AuthError(
            `token endpoint refused the JWT bearer assertion (HTTP ${error.status}): check iss/sub/aud, the key and the clock: ${error.snippet}`,
            { status: error.status, url: error.url, snippet: error.snippet, where: error.where ?? where },
          );
        });
    }

    return tokenEndpoint({
      kind: 'jwtBearer',
      context,
      refreshMarginSeconds: definition.refreshMarginSeconds,
      cacheKey: keyOfCache,
      requestToken,
      refused: (status) => `refused the JWT bearer assertion (HTTP ${status}): check iss/sub/aud and the key`,
    });
  },
});
