/**
 * A child stream walks once per distinct parent key: 200 orders naming 10 customers make 10 requests
 * to `/customers/{parent.customer_id}` (counted at the loopback server) and land 10 customers, in one
 * invocation and across a chain of continuations that stops in the middle of the child. The walks
 * run at once (up to `rateLimit.concurrency`, 4 by default), so keys are asked in any order; across
 * continuations, a key is asked again only when its walk was in flight at a stop (its page fetched
 * but not landed), and is landed once.
 */
import { createHandler, defineSource, type HandlerResult } from '@tributary/core';
import { createBucket, type FixtureApi, readLanded, startFixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';

const bucket = 'landing-child-dedup-test';
const outputFolder = 'sales/shop';
const PAGE = 40;
// 200 orders; order i names customer c<i mod 10>, so each customer appears 20 times, interleaved.
const orders = Array.from({ length: 200 }, (_, i) => ({ id: i + 1, customer_id: `c${i % 10}` }));
let api: FixtureApi;

const source = defineSource({
  name: 'shop',
  baseUrl: 'https://shop.example.invalid',
  retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
  streams: {
    orders: {
      path: '/orders',
      records: 'data',
      primaryKey: 'id',
      paginator: { type: 'offset', limitParam: 'limit', offsetParam: 'offset', limit: PAGE },
    },
    customers: {
      path: '/customers/{parent.customer_id}',
      records: 'data',
      primaryKey: 'id',
      paginator: { type: 'single' },
      parent: { stream: 'orders', carry: { first_order_id: 'id' } },
    },
  },
  runtime: { safetyMarginMs: 60_000, partSizeBytes: 1024 * 1024, streamConcurrency: 2 },
});
const handler = createHandler(source);

beforeAll(async () => {
  await createBucket(bucket);
  api = await startFixtureApi((req) => {
    const customer = /^\/customers\/([^/]+)$/.exec(req.path);
    if (customer) return { body: { data: [{ id: customer[1], name: `customer ${customer[1]}` }] } };
    if (req.path !== '/orders') return { status: 404, body: { error: 'not found' } };
    const offset = Number(req.query.get('offset') ?? '0');
    return { body: { data: orders.slice(offset, offset + Number(req.query.get('limit'))) } };
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

const customerRequests = (since: number) =>
  api.requests.slice(since).filter((r) => r.path.startsWith('/customers/'));

describe('a child of 200 parents naming 10 distinct keys', () => {
  it('requests each key once and lands 10 children, the first parent carried', async () => {
    // Prepare
    const before = api.requests.length;
    const runId = '2026-11-23T06-00-00Z-dedup';

    // Act
    const result = await handler({ runId, streams: ['customers'] }, budgetContext(Infinity));

    // Assess
    expect(result.status).toBe('complete');
    const asked = customerRequests(before).map((r) => r.path);
    expect(asked.toSorted()).toEqual(Array.from({ length: 10 }, (_, i) => `/customers/c${i}`));
    const landed = await readLanded(bucket, outputFolder, 'customers', runId);
    expect(landed.records.toSorted((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, name: `customer c${i}`, first_order_id: i + 1 })),
    );
    expect(result.streams.find((s) => s.stream === 'customers')).toMatchObject({ records: 10, pages: 10 });
  });

  it('across continuations that stop in the middle of the child: each key landed once, asked again only when in flight at a stop', async () => {
    // Prepare: a few pages per invocation
    const before = api.requests.length;
    const runId = '2026-11-23T06-00-00Z-dedup-chain';
    const results: HandlerResult[] = [];
    let continuation: unknown = null;

    // Act
    for (let i = 0; i < 100 && results.at(-1)?.status !== 'complete'; i++) {
      const result = await handler({ runId, streams: ['customers'], continuation }, budgetContext(3));
      results.push(result);
      continuation = JSON.parse(JSON.stringify(result.continuation));
    }

    // Assess: the child itself was paused and resumed at least twice
    expect(results.at(-1)!.status).toBe('complete');
    const childPaused = results.filter((r) =>
      r.streams.some((s) => s.stream === 'customers' && s.status === 'partial' && s.records > 0),
    );
    expect(childPaused.length).toBeGreaterThanOrEqual(2);
    const asked = customerRequests(before).map((r) => r.path);
    const keys = Array.from({ length: 10 }, (_, i) => `/customers/c${i}`);
    expect([...new Set(asked)].toSorted()).toEqual(keys);
    // Walk i is customer c<i> (keys in the order they first appear among the orders). A key asked
    // more than once was in flight at a stop: named by a continuation's position.
    const inFlightAtStops = results
      .flatMap((r) => walksInFlight(r.continuation))
      .map((w) => `/customers/c${w}`);
    for (const key of keys) {
      const times = asked.filter((path) => path === key).length;
      expect(times).toBeLessThanOrEqual(1 + inFlightAtStops.filter((k) => k === key).length);
    }
    const landed = await readLanded(bucket, outputFolder, 'customers', runId);
    expect(landed.records.map((r) => r.id).toSorted()).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`));
    expect(landed.manifest).toMatchObject({ records: 10 });
  });
});

/** The walk indexes a continuation's `customers` position names in flight (`{ w, a?: [{ w }] }`). */
function walksInFlight(continuation: unknown): number[] {
  const at = (continuation as { streams?: Record<string, { position?: unknown }> } | null)?.streams?.customers
    ?.position as { w: number; a?: { w: number }[] } | null | undefined;
  if (!at) return [];
  return [at.w, ...(at.a ?? []).map((p) => p.w)];
}
