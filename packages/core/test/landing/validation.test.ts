/**
 * Bad input before anything runs: a malformed event, a missing environment variable, an unknown
 * stream. Each is a typed error naming what was wrong; the API sees no request and the bucket stays
 * empty.
 */
import { createHandler, defineSource } from '@tributary/core';
import { createBucket, type FixtureApi, listKeys } from '@tributary/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-validation-test';
const outputFolder = 'sales/orders-api';
const handler = createHandler(ordersSource());
const runId = '2026-11-23T06-00-00Z-valid';
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(makeOrders(10), { pageSize: 5 });
});
afterEach(async () => {
  // Nothing was read, nothing was written.
  expect(api.requests).toEqual([]);
  expect(await listKeys(bucket)).toEqual([]);
});
afterAll(() => api.close());

function env() {
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
}

describe('a malformed event', () => {
  it.each([
    ['not an object', 'run it', /event must be a JSON object/],
    ['runId missing', { streams: ['orders'] }, /runId: is required/],
    ['runId not a string', { runId: 42 }, /runId: must be a string/],
    ['runId with a slash', { runId: '2026/11' }, /runId: must be 1-128 letters/],
    ['streams not an array', { runId, streams: 'orders' }, /streams: /],
    ['streams empty', { runId, streams: [] }, /streams: must name at least one stream/],
    [
      'unknown stream',
      { runId, streams: ['orders', 'refunds'] },
      /streams: unknown stream "refunds" \(defined: orders, order_lines\)/,
    ],
    [
      'window.since not a date',
      { runId, window: { since: 'yesterday' } },
      /window\.since: must be an ISO date/,
    ],
    [
      'window.until missing its zone',
      { runId, window: { since: '2026-11-01', until: '2026-11-02T00:00' } },
      /window\.until: must be an ISO date/,
    ],
    [
      'window backwards',
      { runId, window: { since: '2026-11-02T00:00:00Z', until: '2026-11-01T00:00:00Z' } },
      /window\.since: since must be before until/,
    ],
    [
      'window.since on no calendar day (Feb 30 would roll over to Mar 2)',
      { runId, window: { since: '2026-02-30', until: '2026-03-05T00:00:00Z' } },
      /window\.since: is not a date on the calendar \("2026-02-30": no such day/,
    ],
    [
      'window.until on no calendar day (Nov 31 would roll over to Dec 1)',
      { runId, window: { since: '2026-11-01', until: '2026-11-31' } },
      /window\.until: is not a date on the calendar \("2026-11-31"/,
    ],
    [
      'window.since Feb 29 of a common year',
      { runId, window: { since: '2026-02-29T00:00:00Z', until: '2026-03-05T00:00:00Z' } },
      /window\.since: is not a date on the calendar/,
    ],
    [
      'window.until at hour 24',
      { runId, window: { since: '2026-11-01', until: '2026-11-02T24:00:00Z' } },
      /window\.until: is not a date on the calendar/,
    ],
    [
      'window.since in the future without until',
      { runId, window: { since: `${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z` } },
      /window\.since: since \(\d{4}-01-01T00:00:00Z\) is in the future and there is no until/,
    ],
    ['unknown field', { runId, stream: 'orders' }, /unknown field\(s\) "stream"/],
    [
      "a state machine input's sources",
      { runId, sources: ['orders-api'] },
      /unknown field\(s\) "sources" \(did you mean "streams" \(the streams of this source to run; the handler runs one source, named by "source"\)\?\); the event has runId, source, streams, window, continuation/,
    ],
    [
      'a misspelt field',
      { runId, windwo: { since: '2026-11-01' } },
      /unknown field\(s\) "windwo" \(did you mean "window"\?\)/,
    ],
    [
      'an unknown field of the window',
      { runId, window: { since: '2026-11-01', utnil: '2026-11-02' } },
      /window: unknown field\(s\) "utnil" \(did you mean "until"\?\); window has since, until/,
    ],
    [
      'an unknown field like no other',
      { runId, colour: 'blue' },
      /unknown field\(s\) "colour"; the event has /,
    ],
    ['continuation not an object', { runId, continuation: 'abc' }, /continuation: must be an object/],
    ['continuation not ours', { runId, continuation: { v: 2 } }, /continuation\.v: /],
    [
      'source of another handler',
      { runId, source: 'stripe' },
      /source: "stripe" does not match this handler's source "orders-api"/,
    ],
  ])('%s → EventValidationError naming the field', async (_case, event, message) => {
    env();
    const error = await handler(event, budgetContext(Infinity)).catch((e) => e);
    expect(error).toMatchObject({ name: 'EventValidationError', retryable: false });
    expect(error.message).toMatch(message);
    expect(error.message).toContain('source orders-api');
  });

  it('a continuation of another run → EventValidationError naming continuation.runId', async () => {
    env();
    const continuation = {
      v: 1,
      runId: 'other-run',
      importDate: '20261123',
      startedAt: '2026-11-23T06:00:00.000Z',
      plan: ['orders'],
      streams: {
        orders: {
          window: { since: null, until: '2026-11-23T06:00:00.000Z' },
          startedAt: null,
          done: false,
          position: null,
          parts: [],
          records: 0,
          pages: 0,
          bytes: 0,
          maxCursor: null,
          manifest: null,
          watermark: null,
        },
      },
    };
    const error = await handler({ runId, continuation }, budgetContext(Infinity)).catch((e) => e);
    expect(error.name).toBe('EventValidationError');
    expect(error.message).toMatch(/continuation\.runId: "other-run" belongs to another run/);
  });
});

describe('a missing or malformed environment variable', () => {
  it.each([
    ['TARGET_S3_BUCKET_NAME', undefined, /TARGET_S3_BUCKET_NAME is required/],
    ['OUTPUT_FOLDER', undefined, /OUTPUT_FOLDER is required/],
    ['OUTPUT_FOLDER', '//', /OUTPUT_FOLDER is only slashes/],
    ['API_BASE_URL', 'not a url', /API_BASE_URL is not an absolute URL/],
    ['ORDERS_API_API_BASE_URL', 'not a url', /variable ORDERS_API_API_BASE_URL is not an absolute URL/],
    ['SAFETY_MARGIN_MS', '-5', /SAFETY_MARGIN_MS must be a non-negative integer \(got "-5"\)/],
    ['PROGRESS_INTERVAL_MS', '10s', /PROGRESS_INTERVAL_MS must be a non-negative integer \(got "10s"\)/],
  ])('%s=%s → ConfigurationError naming it', async (name, value, message) => {
    env();
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    try {
      const error = await handler({ runId }, budgetContext(Infinity)).catch((e) => e);
      expect(error).toMatchObject({ name: 'ConfigurationError', retryable: false });
      expect(error.message).toMatch(message);
    } finally {
      delete process.env.SAFETY_MARGIN_MS;
      delete process.env.ORDERS_API_API_BASE_URL;
      delete process.env.PROGRESS_INTERVAL_MS;
    }
  });

  it('SECRET_NAME is required when the source authenticates', async () => {
    env();
    const withAuth = defineSource({
      name: 'orders-api',
      baseUrl: 'https://orders.example.invalid',
      auth: { type: 'bearer', secretKey: 'token' },
      streams: { orders: { path: '/orders' } },
    });
    const error = await createHandler(withAuth)({ runId }).catch((e) => e);
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toMatch(
      /SECRET_NAME is required: source orders-api uses bearer auth \(expected api-credentials\/orders-api\)/,
    );
  });
});
