/**
 * Secrets Manager unreachable. Its own file: Powertools builds its default client on first use, and
 * each test file runs in a fresh process, so this one's client points at a port where nothing listens.
 */
import { expect, test } from 'vitest';
import { loadCredentials } from '../../src/auth/credentials.ts';
import { SecretError, TransientError } from '../../src/errors.ts';

process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
process.env.AWS_MAX_ATTEMPTS = '1';

test('a read that fails for another reason than a missing secret is a TransientError (retryable)', async () => {
  const error = await loadCredentials('api-credentials/unreachable').catch((e) => e);
  expect(error).toBeInstanceOf(TransientError);
  expect(error).not.toBeInstanceOf(SecretError);
  expect(error.retryable).toBe(true);
  expect(error.message).toMatch(/^secret "api-credentials\/unreachable" could not be read \(.+\)$/);
});
