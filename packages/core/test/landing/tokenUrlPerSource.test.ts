/**
 * Two OAuth2 sources run from one shell (as `.local/local-env.sh` sets it up): each reaches its own
 * API and its own token endpoint through `<SOURCE>_API_BASE_URL` / `<SOURCE>_AUTH_TOKEN_URL`, even
 * with a plain `AUTH_TOKEN_URL` left in the shell; a source with no per-source variable still
 * takes the plain one (backwards compatible).
 */
import { createHandler, defineSource } from '@tributary/core';
import { sourceEnvName } from '@tributary/core/definition';
import {
  type ApiRequest,
  captureOutput,
  createBucket,
  createSecret,
  type LoopbackApi,
  startApi,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';

const bucket = 'landing-token-url-per-source';

/** A vendor: its token endpoint issues tokens to its own client only, its API accepts only those. */
async function vendor(clientId: string): Promise<LoopbackApi> {
  const issued = `tok-${clientId}`;
  return startApi({
    'POST /oauth/token': (req: ApiRequest) => {
      const basic = Buffer.from(req.headers.authorization?.replace('Basic ', '') ?? '', 'base64').toString();
      return basic === `${clientId}:secret-of-${clientId}`
        ? { body: { access_token: issued, token_type: 'bearer', expires_in: 3600 } }
        : { status: 401, body: { error: 'invalid_client' } };
    },
    '/notes': (req: ApiRequest) =>
      req.headers.authorization === `Bearer ${issued}`
        ? { body: { data: [{ id: `${clientId}-1` }] } }
        : { status: 401, body: { error: 'invalid_token' } },
  });
}

function oauthSource(name: string) {
  return defineSource({
    name,
    baseUrl: `https://${name}.example.invalid`,
    auth: {
      type: 'oauth2ClientCredentials',
      tokenUrl: `https://auth.${name}.example.invalid/oauth/token`,
      clientIdKey: 'client_id',
      clientSecretKey: 'client_secret',
    },
    streams: { notes: { path: '/notes', records: 'data', primaryKey: 'id' } },
  });
}

const vendors: Record<string, LoopbackApi> = {};

beforeAll(async () => {
  await createBucket(bucket);
  for (const name of ['casenotes-data', 'beta', 'legacy']) {
    vendors[name] = await vendor(name);
    await createSecret(`api-credentials/${name}-per-source-test`, {
      client_id: name,
      client_secret: `secret-of-${name}`,
    });
  }
});
afterAll(async () => {
  for (const name of ['API_BASE_URL', 'AUTH_TOKEN_URL']) {
    delete process.env[name];
    for (const source of Object.keys(vendors))
      delete process.env[sourceEnvName(source, name as 'API_BASE_URL')];
  }
  await Promise.all(Object.values(vendors).map((v) => v.close()));
});

/** Runs a source as its function would: its own SECRET_NAME and OUTPUT_FOLDER, the shared shell. */
async function run(name: string) {
  setHandlerEnv({
    bucket,
    outputFolder: name,
    apiBaseUrl: '',
    secretName: `api-credentials/${name}-per-source-test`,
  });
  delete process.env.API_BASE_URL;
  const output = captureOutput();
  try {
    return await createHandler(oauthSource(name))(
      { runId: `2026-11-23T06-00-00Z-${name}` },
      budgetContext(Infinity),
    );
  } finally {
    output.restore();
  }
}

describe('per-source endpoint overrides', () => {
  it('names the variables after the source', () => {
    expect(sourceEnvName('casenotes-data', 'AUTH_TOKEN_URL')).toBe('CASENOTES_DATA_AUTH_TOKEN_URL');
    expect(sourceEnvName('hotmart', 'API_BASE_URL')).toBe('HOTMART_API_BASE_URL');
  });

  it('two OAuth2 sources in one shell each reach their own token URL, over a plain AUTH_TOKEN_URL', async () => {
    // Prepare: the shell of local:up, with a plain AUTH_TOKEN_URL pointing at a third vendor
    const legacy = vendors.legacy!;
    process.env.AUTH_TOKEN_URL = `${legacy.url}/oauth/token`;
    for (const name of ['casenotes-data', 'beta']) {
      process.env[sourceEnvName(name, 'API_BASE_URL')] = vendors[name]!.url;
      process.env[sourceEnvName(name, 'AUTH_TOKEN_URL')] = `${vendors[name]!.url}/oauth/token`;
    }

    // Act
    const first = await run('casenotes-data');
    const second = await run('beta');

    // Assess: each got its records, each token endpoint saw only its own client
    expect(first.streams[0]).toMatchObject({ records: 1, status: 'complete' });
    expect(second.streams[0]).toMatchObject({ records: 1, status: 'complete' });
    for (const name of ['casenotes-data', 'beta']) {
      const tokens = vendors[name]!.requestsTo('/oauth/token');
      expect(tokens).toHaveLength(1);
      expect(Buffer.from(tokens[0]!.headers.authorization!.slice(6), 'base64').toString()).toMatch(
        new RegExp(`^${name}:`),
      );
    }
    expect(legacy.requests).toHaveLength(0);
  });

  it('a source without its own variables still takes API_BASE_URL and AUTH_TOKEN_URL', async () => {
    // Prepare
    const legacy = vendors.legacy!;
    process.env.AUTH_TOKEN_URL = `${legacy.url}/oauth/token`;

    // Act: API_BASE_URL is set as tests and the demo set it, per function
    setHandlerEnv({
      bucket,
      outputFolder: 'legacy',
      apiBaseUrl: legacy.url,
      secretName: 'api-credentials/legacy-per-source-test',
    });
    const output = captureOutput();
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await createHandler(oauthSource('legacy'))(
        { runId: '2026-11-23T07-00-00Z-legacy' },
        budgetContext(Infinity),
      );
    } finally {
      output.restore();
    }

    // Assess
    expect(result.streams[0]).toMatchObject({ records: 1, status: 'complete' });
    expect(legacy.requestsTo('/oauth/token')).toHaveLength(1);
  });
});
