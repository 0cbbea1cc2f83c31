/** Credentials from Secrets Manager (the moto server of the test run), through Powertools Parameters. */
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, test } from 'vitest';
import { loadCredentials } from '../../src/auth/credentials.ts';
import { SecretError } from '../../src/errors.ts';

const sm = new SecretsManagerClient({});
const unique = (name: string) => `api-credentials/credentials-test-${name}-${process.pid}-${Date.now()}`;
const create = (name: string, value: string) =>
  sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));

describe('credentials', () => {
  test('reads the JSON secret', async () => {
    const name = unique('ok');
    await create(name, JSON.stringify({ token: 'tok-123456', user: 'me' }));
    const credentials = await loadCredentials(name);
    expect(credentials.require('token')).toBe('tok-123456');
    expect(credentials.optional('nope')).toBeUndefined();
    expect(credentials.values()).toEqual(['tok-123456', 'me']);
  });

  test('a missing secret names the secret, and how to create it with the keys it needs (no values)', async () => {
    const name = unique('missing');
    const error = await loadCredentials(name, { keys: ['username', 'password'] }).catch((e) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe(
      `secret "${name}" not found in Secrets Manager (eu-west-2): create it with: aws secretsmanager create-secret --name ${name} --region eu-west-2 --secret-string '{"username":"…","password":"…"}'`,
    );
  });

  test('a missing key names the secret and the key, never a value', async () => {
    const name = unique('nokey');
    await create(name, JSON.stringify({ api_key: 'very-secret-value' }));
    const credentials = await loadCredentials(name);
    const error = (() => {
      try {
        credentials.require('token');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(SecretError);
    expect(error!.message).toBe(`secret "${name}" has no key "token" (it has "api_key")`);
    expect(error!.message).not.toContain('very-secret-value');
  });

  test('a secret that is not JSON is named without quoting it', async () => {
    const name = unique('text');
    await create(name, 'plain-text-secret-value');
    const error = await loadCredentials(name).catch((e) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe(`secret "${name}" is not a JSON object of key/value pairs`);
    expect(JSON.stringify({ m: error.message, c: String(error.cause), s: error.stack })).not.toContain(
      'plain-text-secret',
    );
  });

  test('cached per warm container until maxAge passes', async () => {
    const name = unique('ttl');
    await create(name, JSON.stringify({ token: 'first-token' }));
    expect((await loadCredentials(name, { maxAgeSeconds: 1 })).require('token')).toBe('first-token');
    await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify({ token: 'second-token' }) }),
    );
    // Within maxAge: the cached value, no call to Secrets Manager.
    expect((await loadCredentials(name, { maxAgeSeconds: 1 })).require('token')).toBe('first-token');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await loadCredentials(name, { maxAgeSeconds: 1 })).require('token')).toBe('second-token');
  });
});
