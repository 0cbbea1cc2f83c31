/** The handler's environment, as the auth kind's facts shape it (`secretKeyFields`, `env`). */
import { describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { ConfigurationError } from '../../src/errors.ts';
import { readEnvironment } from '../../src/run/environment.ts';

const source = (auth: SourceInput['auth']) =>
  defineSource({
    name: 'env-kinds',
    baseUrl: 'https://api.example.com',
    auth,
    streams: { items: { path: '/items' } },
  });
const base = { TARGET_S3_BUCKET_NAME: 'bucket', OUTPUT_FOLDER: 'raw' };
const oauth2 = {
  type: 'oauth2ClientCredentials',
  tokenUrl: '/oauth/token',
  clientIdKey: 'id',
  clientSecretKey: 'secret',
} as const;

describe('readEnvironment', () => {
  test('needs SECRET_NAME for a kind that reads secret keys, not for none', () => {
    expect(() => readEnvironment(source({ type: 'bearer', secretKey: 'token' }), base)).toThrow(
      ConfigurationError,
    );
    expect(() => readEnvironment(source({ type: 'bearer', secretKey: 'token' }), base)).toThrow(
      'SECRET_NAME is required: source env-kinds uses bearer auth',
    );
    expect(readEnvironment(source({ type: 'none' }), base).secretName).toBeUndefined();
  });

  test('reads <SOURCE>_AUTH_TOKEN_URL, else AUTH_TOKEN_URL, for a kind that declares it', () => {
    const env = {
      ...base,
      SECRET_NAME: 'api-credentials/env-kinds',
      AUTH_TOKEN_URL: 'http://127.0.0.1:1/plain',
    };
    expect(readEnvironment(source(oauth2), env).tokenUrl).toBe('http://127.0.0.1:1/plain');
    expect(
      readEnvironment(source(oauth2), { ...env, ENV_KINDS_AUTH_TOKEN_URL: 'http://127.0.0.1:1/own' })
        .tokenUrl,
    ).toBe('http://127.0.0.1:1/own');
  });

  test('leaves AUTH_TOKEN_URL alone for a kind without a token URL', () => {
    const env = {
      ...base,
      SECRET_NAME: 'api-credentials/env-kinds',
      AUTH_TOKEN_URL: 'http://127.0.0.1:1/plain',
    };
    expect(readEnvironment(source({ type: 'bearer', secretKey: 'token' }), env).tokenUrl).toBeUndefined();
  });
});
