/**
 * jwtBearer (RFC 7523) against a loopback token endpoint that verifies each assertion's RS256
 * signature with the public key (jose) and its claims, and refuses bad and expired ones; the
 * private key comes from Secrets Manager (moto) and never appears in logs or errors.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ApiRequest, startApi } from '@tributary/testkit';
import { exportPKCS8, generateKeyPair, type JWTPayload, jwtVerify } from 'jose';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { JWT_BEARER_GRANT } from '../../src/auth/jwtBearer.ts';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { AuthError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import { capture, FAST_RETRY, ids, readAll } from '../http/support.ts';

const ISSUER = 'ingest@project.iam.gserviceaccount.com';
const SUBJECT = 'alice@example.com';
let pem: string;
let otherPem: string;
let publicKey: Awaited<ReturnType<typeof generateKeyPair>>['publicKey'];

const sm = new SecretsManagerClient({});
let n = 0;
async function secretWith(values: Record<string, string>): Promise<string> {
  const name = `api-credentials/jwt-test-${process.pid}-${Date.now()}-${n++}`;
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(values) }));
  return name;
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  publicKey = pair.publicKey;
  pem = await exportPKCS8(pair.privateKey);
  otherPem = await exportPKCS8((await generateKeyPair('RS256', { extractable: true })).privateKey);
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

interface Exchange {
  grantType: string | null;
  payload?: JWTPayload;
  header?: Record<string, unknown>;
  refused?: string;
}

/** The token endpoint: verifies signature, aud and exp (its clock `skewSeconds` ahead), and the grant. */
function tokenEndpoint(exchanges: Exchange[], audience: () => string, skewSeconds = 0) {
  return async (req: ApiRequest) => {
    const form = new URLSearchParams(req.body);
    const exchange: Exchange = { grantType: form.get('grant_type') };
    exchanges.push(exchange);
    try {
      if (exchange.grantType !== JWT_BEARER_GRANT) throw new Error('unsupported_grant_type');
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
        algorithms: ['RS256'],
        audience: audience(),
        issuer: ISSUER,
        currentDate: new Date(Date.now() + skewSeconds * 1000),
        requiredClaims: ['exp', 'iat'],
      });
      exchange.payload = payload;
      exchange.header = protectedHeader as Record<string, unknown>;
    } catch (error) {
      exchange.refused = (error as Error).name;
      return { status: 400, body: { error: 'invalid_grant', error_description: (error as Error).message } };
    }
    return { body: { access_token: `at-${exchanges.length}`, token_type: 'Bearer', expires_in: 3600 } };
  };
}

async function setup(
  auth: Partial<Extract<SourceInput['auth'], { type: 'jwtBearer' }>>,
  secret: Record<string, string>,
  options: { api?: (req: ApiRequest) => unknown; skewSeconds?: number } = {},
) {
  const exchanges: Exchange[] = [];
  let tokenUrl = '';
  const api = await startApi({
    '/oauth2/token': tokenEndpoint(exchanges, () => auth.audience ?? tokenUrl, options.skewSeconds),
    '/items': (req) =>
      (options.api?.(req) as never) ??
      (req.headers.authorization?.startsWith('Bearer at-') ? { body: [{ id: 1 }] } : { status: 401 }),
    '/more': () => ({ body: [{ id: 2 }] }),
  });
  closers.push(api.close);
  tokenUrl = `${api.url}/oauth2/token`;
  const c = capture();
  const source = defineSource({
    name: 'jwt-test',
    baseUrl: 'https://api.example.com',
    auth: {
      type: 'jwtBearer',
      tokenUrl: '/oauth2/token',
      privateKeyKey: 'private_key',
      issuerKey: 'client_email',
      ...auth,
    },
    retry: FAST_RETRY,
    streams: { items: { path: '/items' }, more: { path: '/more' } },
  });
  const read = createReader(source, {
    baseUrl: api.url,
    secretName: await secretWith(secret),
    logger: c.logger,
    observer: c.observer,
  });
  return { api, c, read, exchanges, tokenUrl };
}

/** No line of the PEM (its base64 body included) in anything shown. */
function expectNoKey(...shown: unknown[]) {
  const text = shown
    .map((s) => (s instanceof Error ? `${s.message} ${s.stack} ${JSON.stringify(s)}` : JSON.stringify(s)))
    .join('\n');
  for (const key of [pem, otherPem]) {
    for (const line of key.split('\n').filter((l) => l && !l.startsWith('-----'))) {
      expect(text).not.toContain(line);
    }
  }
  expect(text).not.toContain('PRIVATE KEY-----\\n');
}

describe('jwtBearer', () => {
  test('signs iss/sub/aud/iat/exp/scope with RS256, exchanges the assertion, and caches the token', async () => {
    const { api, c, read, exchanges, tokenUrl } = await setup(
      {
        subjectKey: 'user',
        keyIdKey: 'kid',
        scope: 'https://www.googleapis.com/auth/bigquery',
        claims: { tenant: 't1' },
      },
      { private_key: pem, client_email: ISSUER, user: SUBJECT, kid: 'key-1' },
    );
    expect(ids(await readAll(read, 'items'))).toEqual([1]);
    expect(ids(await readAll(read, 'more'))).toEqual([2]);

    expect(exchanges).toHaveLength(1); // cached across streams
    const [{ payload, header, refused }] = exchanges as [Exchange];
    expect(refused).toBeUndefined();
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: SUBJECT,
      aud: tokenUrl,
      scope: 'https://www.googleapis.com/auth/bigquery',
      tenant: 't1',
    });
    expect(payload!.exp! - payload!.iat!).toBe(300);
    expect(typeof payload!.jti).toBe('string');
    const calls = api.requests.filter((r) => r.path !== '/oauth2/token');
    expect(calls.map((r) => r.headers.authorization)).toEqual(['Bearer at-1', 'Bearer at-1']);
    expectNoKey(c.text());
  });

  test('a 401 exchanges a new assertion once and retries; a second 401 is an AuthError', async () => {
    let refusals = 1;
    const { read, exchanges, c } = await setup(
      { audience: 'https://login.salesforce.com', subjectKey: 'user' },
      { private_key: pem, client_email: ISSUER, user: SUBJECT },
      { api: () => (refusals-- > 0 ? { status: 401 } : undefined) },
    );
    expect(ids(await readAll(read, 'items'))).toEqual([1]);
    expect(exchanges).toHaveLength(2);
    expect(exchanges.every((e) => e.payload?.aud === 'https://login.salesforce.com')).toBe(true);

    refusals = 2;
    const error = await readAll(read, 'items').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/credentials refused again after renewing them/);
    expect(exchanges).toHaveLength(3);
    expectNoKey(c.text(), error);
  });

  test('an assertion signed with another key is refused by the endpoint: an AuthError that shows no key', async () => {
    const { read, exchanges, c } = await setup({}, { private_key: otherPem, client_email: ISSUER });
    const error = await readAll(read, 'items').catch((e: unknown) => e);
    expect(exchanges[0]!.refused).toBe('JWSSignatureVerificationFailed');
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/refused the JWT bearer assertion \(HTTP 400\)/);
    expectNoKey(c.text(), error);
  });

  test('an expired assertion (the endpoint’s clock past its exp) is refused: an AuthError', async () => {
    const { read, exchanges } = await setup(
      { assertionLifetimeSeconds: 60 },
      { private_key: pem, client_email: ISSUER },
      { skewSeconds: 120 },
    );
    const error = await readAll(read, 'items').catch((e: unknown) => e);
    expect(exchanges[0]!.refused).toBe('JWTExpired');
    expect(error).toBeInstanceOf(AuthError);
  });

  test('a key that is not PKCS#8 PEM is an AuthError naming the secret key, not the key', async () => {
    const broken = pem
      .replace('BEGIN PRIVATE KEY', 'BEGIN RSA PRIVATE KEY')
      .replace('END PRIVATE KEY', 'END RSA PRIVATE KEY');
    const { read, exchanges, c } = await setup({}, { private_key: broken, client_email: ISSUER });
    const error = await readAll(read, 'items').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/"private_key" is not an RSA private key in PKCS#8 PEM/);
    expect((error as Error).cause).toBeUndefined();
    expect(exchanges).toHaveLength(0);
    expectNoKey(c.text(), error);
  });
});
