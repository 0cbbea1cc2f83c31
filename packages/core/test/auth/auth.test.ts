/** Every auth kind against a loopback API, credentials from Secrets Manager (moto); no secret ever shown. */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ApiRequest, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { AuthError, ConfigurationError, HttpError, SecretError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { ReaderContext } from '../../src/http/readTypes.ts';
import { capture, FAST_RETRY, ids, readAll } from '../http/support.ts';

const SECRETS = {
  token: 'tok_SUPERSECRET_0001',
  api_key: 'key/with+special=chars&more',
  user: 'alice',
  password: 'pa55-SUPERSECRET',
  client_id: 'client-abc',
  client_secret: 'cs_SUPERSECRET_999',
};
const sm = new SecretsManagerClient({});
const secretName = `api-credentials/auth-test-${process.pid}-${Date.now()}`;
let created = false;
async function secret(): Promise<string> {
  if (!created) {
    await sm.send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify(SECRETS) }));
    created = true;
  }
  return secretName;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const ok = { body: [{ id: 1 }, { id: 2 }] };

async function setup(
  auth: SourceInput['auth'],
  route: Parameters<typeof startApi>[0],
  context: Partial<ReaderContext> = {},
) {
  const api = await startApi(route);
  closers.push(api.close);
  const c = capture();
  const source = defineSource({
    name: 'auth-test',
    baseUrl: 'https://api.example.com',
    auth,
    retry: FAST_RETRY,
    streams: { items: { path: '/items' }, more: { path: '/more' } },
  });
  const read = createReader(source, {
    baseUrl: api.url,
    secretName: await secret(),
    logger: c.logger,
    observer: c.observer,
    ...context,
  });
  return { api, c, read };
}

/** Nothing shown (logs, observer, page URLs, errors) holds a secret value, raw or encoded. */
function expectNoSecrets(...shown: unknown[]) {
  const text = shown
    .map((s) => (s instanceof Error ? `${s.message} ${s.stack}` : JSON.stringify(s)))
    .join('\n');
  for (const value of Object.values(SECRETS).filter((v) => v.length > 5)) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(encodeURIComponent(value));
  }
  expect(text).not.toContain('SUPERSECRET');
}

describe('auth kinds', () => {
  test('none: no credentials, no secret needed', async () => {
    const api = await startApi({ '/items': () => ok });
    closers.push(api.close);
    const source = defineSource({
      name: 'open',
      baseUrl: 'https://x.example',
      streams: { items: { path: '/items' } },
    });
    expect(ids(await readAll(createReader(source, { baseUrl: api.url }), 'items'))).toEqual([1, 2]);
    expect(api.requests[0]!.headers.authorization).toBeUndefined();
  });

  test('apiKey in a header, with a prefix', async () => {
    const { api, read } = await setup(
      { type: 'apiKey', name: 'X-Api-Key', secretKey: 'token', prefix: 'Token ' },
      {
        '/items': () => ok,
      },
    );
    await readAll(read, 'items');
    expect(api.requests[0]!.headers['x-api-key']).toBe(`Token ${SECRETS.token}`);
  });

  test('apiKey in the query: sent, but masked in page URLs, logs, observer and errors', async () => {
    const { api, c, read } = await setup(
      { type: 'apiKey', in: 'query', name: 'api_key', secretKey: 'api_key' },
      {
        '/items': (req) => (req.nth === 1 ? { status: 503 } : ok),
        '/more': () => ({ status: 404, body: { error: `bad key ${SECRETS.api_key}` } }),
      },
    );
    const pages = await readAll(read, 'items');
    expect(api.requests[0]!.query.get('api_key')).toBe(SECRETS.api_key);
    expect(pages[0]!.url).toBe(`${api.url}/items?api_key=***`);
    expect(c.retries[0]!.url).toBe(`${api.url}/items?api_key=***`);
    const error = await readAll(read, 'more').catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toContain('bad key ***');
    expectNoSecrets(pages, c.text(), error, error.url, error.snippet);
  });

  test('apiKey optional: a missing key sends nothing, even without a secret', async () => {
    const { api, read } = await setup(
      { type: 'apiKey', name: 'X-App-Token', secretKey: 'app_token', optional: true },
      { '/items': () => ok },
      { secretName: undefined },
    );
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(api.requests[0]!.headers['x-app-token']).toBeUndefined();
  });

  test('bearer; a 401 is an AuthError (nothing to refresh), the token never shown', async () => {
    const { api, c, read } = await setup(
      { type: 'bearer', secretKey: 'token' },
      {
        '/items': () => ok,
        '/more': (req) => ({ status: 401, body: { message: `token ${req.headers.authorization} expired` } }),
      },
    );
    await readAll(read, 'items');
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${SECRETS.token}`);
    const error = await readAll(read, 'more').catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ name: 'AuthError', status: 401, retryable: false });
    expect(api.requestsTo('/more')).toHaveLength(1);
    expectNoSecrets(c.text(), error, error.snippet);
  });

  test('credentials go only to the API origin, not to a host a next link points at', async () => {
    const elsewhere = await startApi({ '/items': () => ({ body: [{ id: 3 }] }) });
    closers.push(elsewhere.close);
    const api = await startApi({
      '/items': () => ({
        headers: { link: `<${elsewhere.url}/items?page=2>; rel="next"` },
        body: [{ id: 1 }],
      }),
    });
    closers.push(api.close);
    const source = defineSource({
      name: 'auth-test',
      baseUrl: 'https://api.example.com',
      auth: { type: 'bearer', secretKey: 'token' },
      streams: { items: { path: '/items', paginator: { type: 'link' } } },
    });
    const reader = createReader(source, { baseUrl: api.url, secretName: await secret() });
    expect(ids(await readAll(reader, 'items'))).toEqual([1, 3]);
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${SECRETS.token}`);
    expect(elsewhere.requests[0]!.headers.authorization).toBeUndefined();
  });

  test('basic', async () => {
    const { api, read } = await setup(
      { type: 'basic', usernameKey: 'user', passwordKey: 'password' },
      { '/items': () => ok },
    );
    await readAll(read, 'items');
    const sent = api.requests[0]!.headers.authorization!;
    expect(Buffer.from(sent.replace('Basic ', ''), 'base64').toString()).toBe(`alice:${SECRETS.password}`);
  });

  test('a key missing from the secret: SecretError naming secret and key', async () => {
    const { read } = await setup({ type: 'bearer', secretKey: 'nope' }, { '/items': () => ok });
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toMatch(new RegExp(`secret "${secretName}" has no key "nope"`));
    expectNoSecrets(error);
  });

  test('no SECRET_NAME for an auth that needs one: ConfigurationError', async () => {
    const { read } = await setup(
      { type: 'bearer', secretKey: 'token' },
      { '/items': () => ok },
      { secretName: undefined },
    );
    await expect(readAll(read, 'items')).rejects.toThrow(ConfigurationError);
  });
});

describe('oauth2 client credentials', () => {
  /** A token endpoint that issues `tok-1`, `tok-2`, … and an API that accepts only the tokens it allows. */
  function oauthRoutes(
    options: { expiresIn?: number; accept?: (token: string, req: ApiRequest) => boolean } = {},
  ) {
    let issued = 0;
    const tokenRequests: ApiRequest[] = [];
    const accept = options.accept ?? (() => true);
    const api = (req: ApiRequest) => {
      const token = req.headers.authorization?.replace('Bearer ', '') ?? '';
      return token.startsWith('tok-') && accept(token, req)
        ? ok
        : { status: 401, body: { error: 'invalid_token' } };
    };
    return {
      tokenRequests,
      routes: {
        'POST /oauth/token': (req: ApiRequest) => {
          tokenRequests.push(req);
          issued++;
          return {
            body: {
              access_token: `tok-${issued}`,
              token_type: 'bearer',
              expires_in: options.expiresIn ?? 3600,
            },
          };
        },
        '/items': api,
        '/more': api,
      },
    };
  }
  const oauth = {
    type: 'oauth2ClientCredentials' as const,
    tokenUrl: '/oauth/token',
    clientIdKey: 'client_id',
    clientSecretKey: 'client_secret',
  };

  test('one token for every request while it is valid; client authenticates with Basic; form body', async () => {
    const { routes, tokenRequests } = oauthRoutes();
    const { api, read } = await setup(oauth, routes);
    await readAll(read, 'items');
    await readAll(read, 'more');
    expect(tokenRequests).toHaveLength(1);
    const [tokenRequest] = tokenRequests;
    expect(tokenRequest!.headers.authorization).toBe(
      `Basic ${Buffer.from(`${SECRETS.client_id}:${SECRETS.client_secret}`).toString('base64')}`,
    );
    expect(tokenRequest!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(tokenRequest!.body).get('grant_type')).toBe('client_credentials');
    expect(api.requestsTo('/items')[0]!.headers.authorization).toBe('Bearer tok-1');
    expect(api.requestsTo('/more')[0]!.headers.authorization).toBe('Bearer tok-1');
  });

  test('a token about to expire (within the margin) is renewed before use', async () => {
    const { routes, tokenRequests } = oauthRoutes({ expiresIn: 60 }); // margin 60 s: already due
    const { api, read } = await setup(oauth, routes);
    await readAll(read, 'items');
    await readAll(read, 'more');
    expect(tokenRequests).toHaveLength(2);
    expect(api.requestsTo('/more')[0]!.headers.authorization).toBe('Bearer tok-2');
  });

  test('401: the token is renewed once and the request retried', async () => {
    const { routes, tokenRequests } = oauthRoutes({ accept: (token) => token !== 'tok-1' }); // tok-1 revoked
    const { api, c, read } = await setup(oauth, routes);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(tokenRequests).toHaveLength(2);
    expect(api.requestsTo('/items').map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
    expectNoSecrets(c.text());
  });

  test('401 again after renewing: AuthError, no loop', async () => {
    const { routes, tokenRequests } = oauthRoutes({ accept: () => false });
    const { api, c, read } = await setup(oauth, routes);
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/^HTTP 401: credentials refused again after renewing them/);
    expect(tokenRequests).toHaveLength(2);
    expect(api.requestsTo('/items')).toHaveLength(2);
    expectNoSecrets(c.text(), error);
  });

  test('client credentials in the query (Hotmart style) and AUTH_TOKEN_URL overriding the token URL', async () => {
    const { routes, tokenRequests } = oauthRoutes();
    const tokenServer = await startApi({ 'POST /security/token': routes['POST /oauth/token'] });
    closers.push(tokenServer.close);
    const { read } = await setup(
      {
        ...oauth,
        tokenUrl: 'https://auth.example.com/never',
        clientAuth: 'body',
        paramsIn: 'query',
        scope: 'read',
      },
      routes,
      { tokenUrl: `${tokenServer.url}/security/token` },
    );
    await readAll(read, 'items');
    expect(tokenRequests).toHaveLength(1);
    const query = tokenRequests[0]!.query;
    expect(Object.fromEntries(query)).toEqual({
      grant_type: 'client_credentials',
      scope: 'read',
      client_id: SECRETS.client_id,
      client_secret: SECRETS.client_secret,
    });
  });

  test('a token endpoint that refuses the client: AuthError naming the endpoint, no secret', async () => {
    const { c, read } = await setup(oauth, {
      'POST /oauth/token': () => ({ status: 401, body: { error: 'invalid_client' } }),
      '/items': () => ok,
    });
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/HTTP 401: credentials refused.*\/oauth\/token/);
    expectNoSecrets(c.text(), error);
  });
});
