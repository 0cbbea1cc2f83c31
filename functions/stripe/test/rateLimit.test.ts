/**
 * The stripe definition's own `rateLimit` (20 requests/second) against a server that enforces 20 in
 * any 1 s window, as a strict rate limiter does (docs.stripe.com/rate-limits: a request over the limit
 * is answered 429): every list page of a first run, with a Retry-After pause in the middle, and not
 * one request refused. Measured at the server, on counts, not on wall time.
 */
import type { Handler } from '@tributary/core';
import {
  lambdaContext,
  readLanded,
  type SourceTest,
  startSourceTest,
  strictWindow,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeData, type StripeFaults, stripeRoute } from '../double/index.ts';
import { source } from '../src/source.ts';

const API_KEY = 'sk_test_51FixtureKey0123456789STRICT';
const BUCKET = 'tributary-test-source-stripe-strict';
const SECRET = 'api-credentials/stripe-strict-test';
const FOLDER = 'payments/stripe-strict';

const RATE = source.rateLimit.requestsPerSecond!;
/** 21 pages of 100 per stream, 3 streams: 63 requests, more than 3 × the rate. */
const COUNT = 2_050;
const data = makeData(COUNT, COUNT, COUNT);
const faults: StripeFaults = {
  rateLimitOn: new Map(),
  invalidOn: new Set(),
  lockTimeoutOn: new Map(),
  doNotRetryOn: new Set(),
};
// A pause in the middle of the run: the 30th request is answered 429 + Retry-After: 1.
const server = strictWindow(stripeRoute(data, API_KEY, faults), {
  limit: RATE,
  pauseAt: 30,
  pauseSeconds: 1,
});

let run: SourceTest<Handler> | undefined;
let handler: Handler;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { api_key: API_KEY }],
    folder: FOLDER,
    route: server.route,
    handler: () => import('../src/handler.ts'),
  });
  ({ handler } = run);
});

afterAll(() => run?.close());

describe('stripe against a strict 20-in-any-second server', () => {
  it(`never puts ${RATE + 1} requests in a 1 s window: no request refused, every record landed`, async () => {
    // Act
    const result = await handler({ runId: 'stripe-strict-1' }, lambdaContext());

    // Assess: the run complete, every page read
    expect(RATE).toBe(20);
    expect(result.status).toBe('complete');
    for (const stream of ['charges', 'customers', 'invoices']) {
      const landed = await readLanded(BUCKET, FOLDER, stream, 'stripe-strict-1');
      expect(landed.records).toHaveLength(COUNT);
    }
    // 63 pages and the paused one asked again; none refused by the window, never over the rate
    expect(server.arrivals).toHaveLength(3 * 21 + 1);
    expect(server.refused()).toBe(0);
    expect(server.mostInWindow()).toBeLessThanOrEqual(RATE);
  });
});
