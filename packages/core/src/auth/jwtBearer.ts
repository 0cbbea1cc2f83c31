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

import { AuthError, HttpError } from '../errors.ts';
import type { HttpResponse } from '../http/types.ts';
import { resolveTokenUrl, tokenEndpoint } from './tokenEndpoint.ts';
import type { AuthFactory } from './types.ts';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const jwtBearer: AuthFactory<'jwtBearer'> = (definition, context) => {
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
    const assertion = await jwt.sign(signingKey);
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
};
