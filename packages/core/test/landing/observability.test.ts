/**
 * Observability and secrets: structured JSON logs carry runId, source and stream; each stream emits
 * EMF metrics (namespace Tributary, dimensions source/stream); the API key — sent in the query
 * string, the easiest place to leak it — appears in no log line, no result, no error and no object.
 */
import { gunzipSync } from 'node:zlib';
import { createHandler, defineSource } from '@tributary/core';
import {
  captureOutput,
  createBucket,
  createSecret,
  type FixtureApi,
  getObject,
  listKeys,
  startFixtureApi,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders } from './support/ordersApi.ts';

const bucket = 'landing-observability-test';
const secretName = 'api-credentials/orders-api-observability-test';
const KEY = 'sk_live_9f8e7d6c5b4a3f2e1d0c';
const orders = makeOrders(1_000);
const source = defineSource({
  name: 'orders-api',
  baseUrl: 'https://orders.example.invalid',
  auth: { type: 'apiKey', in: 'query', name: 'api_key', secretKey: 'key' },
  retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
  streams: {
    orders: {
      path: '/orders',
      records: 'data',
      primaryKey: 'id',
      paginator: { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
      incremental: { cursorField: 'updated_at' },
    },
    broken: { path: '/broken', records: 'data' },
    // An API whose next links echo the credential back.
    linked: { path: '/linked', records: 'data', paginator: { type: 'nextUrl', path: 'next' } },
  },
});
const handler = createHandler(source);
let api: FixtureApi;
let flaky = true;

beforeAll(async () => {
  await createBucket(bucket);
  await createSecret(secretName, { key: KEY });
  api = await startFixtureApi((req) => {
    if (req.query.get('api_key') !== KEY) return { status: 401, body: { error: 'bad key' } };
    if (req.path === '/linked') {
      const page = Number(req.query.get('page') ?? '0');
      const data = orders.slice(page * 100, page * 100 + 100);
      const next = page < 4 ? `/linked?page=${page + 1}&api_key=${KEY}` : null;
      return { body: { data, next } };
    }
    if (req.path === '/broken') {
      // An API that echoes the credential in its error: it must not reach the error or the logs.
      return { status: 403, body: { error: `key ${KEY} is not allowed here` } };
    }
    const offset = Number(req.query.get('cursor') ?? '0');
    if (offset === 300 && flaky) {
      flaky = false;
      return { status: 503, body: { error: 'try again' } };
    }
    const data = orders.slice(offset, offset + 100);
    const more = offset + 100 < orders.length;
    return { body: { data, next_cursor: more ? String(offset + 100) : null, has_more: more } };
  });
  setHandlerEnv({ bucket, outputFolder: 'sales/orders-api', apiBaseUrl: api.url, secretName });
  // DEBUG: the per-page and per-request lines, with their URLs, are logged too.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});
afterAll(() => api.close());

/** The JSON lines of captured output. */
// biome-ignore lint/suspicious/noExplicitAny: log lines are free-form JSON, probed by the assertions
function jsonLines(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

describe('a run with an API key in the query string', () => {
  it('logs structured lines with runId/source/stream and EMF metrics per stream, and never the key', async () => {
    // Act
    const output = captureOutput();
    let result: unknown;
    try {
      result = await handler(
        { runId: '2026-11-23T06-00-00Z-obs', streams: ['orders'] },
        budgetContext(Infinity),
      );
    } finally {
      output.restore();
    }

    // Assess: logs
    const text = output.text();
    const lines = jsonLines(text);
    const logs = lines.filter((l) => l.message);
    expect(logs.length).toBeGreaterThan(0);
    for (const l of logs)
      expect(l).toMatchObject({ runId: '2026-11-23T06-00-00Z-obs', source: 'orders-api' });
    expect(logs.find((l) => l.message === 'stream complete')).toMatchObject({
      stream: 'orders',
      records: 1_000,
    });
    const retry = logs.find((l) => l.message.startsWith('retrying') && l.stream === 'orders');
    expect(retry).toMatchObject({ reason: expect.stringContaining('503'), page: 3, level: 'WARN' });
    expect(retry!.url).toContain('/orders?');
    const pages = logs.filter((l) => l.message === 'page landed');
    expect(pages).toHaveLength(10);
    expect(pages[1]).toMatchObject({
      stream: 'orders',
      page: 1,
      records: 100,
      url: expect.stringContaining('cursor=100'),
    });

    // Assess: EMF
    const emf = lines.find((l) => l._aws?.CloudWatchMetrics && l.stream === 'orders');
    expect(emf).toBeDefined();
    expect(emf!._aws.CloudWatchMetrics[0].Namespace).toBe('Tributary');
    expect(emf!._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(
      expect.arrayContaining(['source', 'stream']),
    );
    expect(emf).toMatchObject({ source: 'orders-api', records: 1_000, pages: 10, retries: 1 });
    expect(emf!.bytes).toBeGreaterThan(0);
    expect(emf!.duration).toBeGreaterThanOrEqual(0);

    // Assess: the key went to the API, and nowhere else
    expect(api.requests.every((r) => r.query.get('api_key') === KEY)).toBe(true);
    expect(text).not.toContain(KEY);
    expect(JSON.stringify(result)).not.toContain(KEY);
    for (const key of await listKeys(bucket)) {
      const body = await getObject(bucket, key);
      const content = key.endsWith('.gz') ? gunzipSync(body).toString() : body.toString();
      expect(content).not.toContain(KEY);
    }
  });

  it('a failing stream: the error and the logs name the stream and status, never the key', async () => {
    // Act
    const output = captureOutput();
    let failure: Error & { name: string } = new Error('not thrown');
    try {
      failure = await handler(
        { runId: '2026-11-23T06-00-00Z-obs2', streams: ['broken'] },
        budgetContext(Infinity),
      ).catch((e) => e);
    } finally {
      output.restore();
    }

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toContain('403');
    expect(failure.message).toContain('stream broken');
    for (const text of [
      failure.message,
      failure.stack,
      JSON.stringify(failure),
      String(failure.cause),
      output.text(),
    ]) {
      expect(text ?? '').not.toContain(KEY);
    }
    const failed = jsonLines(output.text()).find((l) => l.message === 'stream failed');
    expect(failed).toMatchObject({
      stream: 'broken',
      runId: '2026-11-23T06-00-00Z-obs2',
      errorName: failure.name,
    });
  });

  it('a continuation holds no credential, even when the API echoes it in its next links', async () => {
    // Act: two pages per invocation
    const runId = '2026-11-23T06-00-00Z-obs3';
    const results: unknown[] = [];
    let continuation: unknown = null;
    for (let i = 0; i < 10; i++) {
      const result = await handler({ runId, streams: ['linked'], continuation }, budgetContext(2));
      results.push(result);
      if (result.status === 'complete') break;
      continuation = result.continuation;
    }

    // Assess
    expect(results.length).toBeGreaterThan(2);
    for (const r of results) expect(JSON.stringify(r)).not.toContain(KEY);
    expect((results.at(-1) as { streams: Array<{ records: number }> }).streams[0]!.records).toBe(500);
    expect(api.requestsTo('/linked').every((r) => r.query.get('api_key') === KEY)).toBe(true);
  });
});
