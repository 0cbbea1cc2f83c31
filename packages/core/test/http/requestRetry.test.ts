/**
 * Which failed attempts of a POST are sent again (request/retrySafety.ts), against a loopback API:
 * a GET as before; a POST or PUT after a 5xx, a reset or a timeout only with `retrySafe: true`; a 429
 * and a refused connection either way. Credentials go along and never show in an error.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ApiRoute, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { HttpError, TransientError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { ReaderContext } from '../../src/stream/types.ts';
import { capture, FAST_RETRY, ids, readAll } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const OK = { body: { results: [{ id: 1 }, { id: 2 }] } };

function search(
  retrySafe: boolean | undefined,
  method: 'POST' | 'PUT' = 'POST',
): SourceInput['streams'][string] {
  const request = { type: 'json' as const, method, body: { q: 'all' } };
  return {
    path: '/search',
    request: retrySafe === undefined ? request : { ...request, retrySafe },
    records: 'results',
  };
}

async function setup(
  stream: SourceInput['streams'][string],
  route: ApiRoute,
  extra: Partial<SourceInput> = {},
  context: Partial<ReaderContext> = {},
) {
  const api = await startApi({ '/search': route });
  closers.push(api.close);
  const c = capture();
  const source = defineSource({
    name: 'retry-safety',
    baseUrl: 'https://x.example',
    retry: FAST_RETRY,
    streams: { items: stream },
    ...extra,
  });
  const read = createReader(source, { baseUrl: api.url, logger: c.logger, observer: c.observer, ...context });
  return { api, c, read };
}

/** Answers `first` to the first request, then the records. */
const once =
  (first: ReturnType<ApiRoute> | ((...args: Parameters<ApiRoute>) => ReturnType<ApiRoute>)): ApiRoute =>
  (req, res, raw) => {
    if (req.nth > 1) return OK;
    return typeof first === 'function' ? first(req, res, raw) : first;
  };

const unavailable = once({ status: 503, body: { message: 'Service Unavailable' } });
/** The connection is cut once the request has arrived: the API may have acted on it. */
const reset = once((_req, res) => {
  res.socket?.destroy();
  return undefined;
});

describe('a 503', () => {
  test('a GET is retried, as before', async () => {
    const { api, read } = await setup({ path: '/search', records: 'results' }, unavailable);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  test.each([undefined, false])(
    'a POST with retrySafe %s is not retried: a fatal HttpError naming the fix',
    async (safe) => {
      const { api, c, read } = await setup(search(safe), unavailable);
      const error = await readAll(read, 'items').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 503, retryable: false });
      expect((error as Error).message).toMatch(/HTTP 503 on a POST \(not retried: .*set retrySafe: true/);
      expect((error as Error).message).toContain('Service Unavailable');
      expect(api.requests).toHaveLength(1);
      expect(c.retries).toEqual([]);
    },
  );

  test('a PUT without retrySafe is not retried either', async () => {
    const { api, read } = await setup(search(undefined, 'PUT'), unavailable);
    await expect(readAll(read, 'items')).rejects.toThrow(/HTTP 503 on a PUT \(not retried/);
    expect(api.requests.map((r) => r.method)).toEqual(['PUT']);
  });

  test('a POST with retrySafe: true is retried, its body sent again', async () => {
    const { api, c, read } = await setup(search(true), unavailable);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(api.requests.map((r) => [r.method, r.body])).toEqual(Array(2).fill(['POST', '{"q":"all"}']));
    expect(c.retries.map((r) => r.reason)).toEqual(['HTTP 503']);
  });
});

describe('a 429 (nothing was done)', () => {
  test.each([undefined, true])(
    'a POST with retrySafe %s is retried after the wait the API asks',
    async (safe) => {
      const { api, c, read } = await setup(
        search(safe),
        once({
          status: 429,
          headers: { 'retry-after': '0' },
          body: { status: 'error', category: 'RATE_LIMITS' },
        }),
      );
      expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
      expect(api.requests).toHaveLength(2);
      expect(c.retries.map((r) => [r.reason, r.rateLimited])).toEqual([['HTTP 429', true]]);
    },
  );

  test('a rateLimited rule of the stream is retried on a POST without retrySafe', async () => {
    const stream = {
      ...search(undefined),
      responseRules: [{ status: 400, bodyContains: 'SECONDLY', action: 'rateLimited' as const }],
    };
    const { api, read } = await setup(stream, once({ status: 400, body: { policyName: 'SECONDLY' } }));
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(api.requests).toHaveLength(2);
  });
});

describe('a lost connection', () => {
  test('reset after the request arrived: a POST without retrySafe is not retried (status 0)', async () => {
    const { api, read } = await setup(search(undefined), reset);
    const error = await readAll(read, 'items').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 0 });
    expect((error as Error).message).toMatch(/on a POST \(not retried/);
    expect(api.requests).toHaveLength(1);
  });

  test('reset after the request arrived: a POST with retrySafe: true is retried', async () => {
    const { api, read } = await setup(search(true), reset);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(api.requests).toHaveLength(2);
  });

  test('no answer before the timeout: a POST without retrySafe is not retried', async () => {
    const { api, read } = await setup(
      search(false),
      once(() => new Promise<undefined>(() => {})), // never answers
      { timeouts: { connectMs: 1000, totalMs: 300 } },
    );
    await expect(readAll(read, 'items')).rejects.toThrow(/timeout after 300 ms on a POST \(not retried/);
    expect(api.requests).toHaveLength(1);
  });

  test('a refused connection (nothing sent) is retried on a POST without retrySafe', async () => {
    const api = await startApi({});
    const closedUrl = api.url;
    await api.close();
    const c = capture();
    const source = defineSource({
      name: 'retry-safety',
      baseUrl: 'https://x.example',
      retry: FAST_RETRY,
      streams: { items: search(undefined) },
    });
    const read = createReader(source, { baseUrl: closedUrl, logger: c.logger, observer: c.observer });
    const error = await readAll(read, 'items').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(c.retries.map((r) => r.reason)).toEqual(Array(FAST_RETRY.maxAttempts - 1).fill('ECONNREFUSED'));
  });
});

describe('credentials on a POST', () => {
  const TOKEN = 'pat-na1-SUPERSECRET-0123';
  test('the bearer token is sent with the body and never shows in the error, even when the API echoes it', async () => {
    const secretName = `api-credentials/retry-safety-${process.pid}-${Date.now()}`;
    await new SecretsManagerClient({}).send(
      new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ token: TOKEN }) }),
    );
    const { api, c, read } = await setup(
      search(undefined),
      (req) => ({ status: 502, body: { message: `bad gateway for ${req.headers.authorization}` } }),
      { auth: { type: 'bearer', secretKey: 'token' } },
      { secretName },
    );
    const error = await readAll(read, 'items').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(api.requests.map((r) => [r.headers.authorization, r.body])).toEqual([
      [`Bearer ${TOKEN}`, '{"q":"all"}'],
    ]);
    const shown = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)} ${c.text()}`;
    expect(shown).toContain('bad gateway for');
    expect(shown).not.toContain('SUPERSECRET');
  });
});
