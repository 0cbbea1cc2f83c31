/**
 * A backfill's `until` bounds the data even when the API cannot be told it. The orders API takes
 * `since` only: a backfill of 12:00–13:00 would land every order up to now. The window bound the
 * requests do not carry is applied to the records' cursor field; what was left out is counted in the
 * stream's result (`filteredOut`), and the watermark never passes `until`.
 */
import { createHandler } from '@tributary/core';
import { createBucket, type FixtureApi, readLanded } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-window-test';
const outputFolder = 'sales/window';
// One order a second from 11:00 to 14:20, in pages of 500 (the API knows nothing of `until`)
const start = Date.parse('2026-11-20T11:00:00Z');
const orders = makeOrders(12_000, start);
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(orders, { pageSize: 500 });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(async () => {
  await api.close();
});

describe('a window the API cannot bound', () => {
  it('lands only the window, counts what it left out, and keeps the watermark inside it', async () => {
    // Prepare
    const runId = '2026-11-23-backfill';
    const window = { since: '2026-11-20T12:00:00Z', until: '2026-11-20T13:00:00Z' };

    // Act: the first invocation stops after a few pages, the next ones go on from the continuation
    // The backfill starts at the stream's initialSince: with no watermark yet, it may set the first one
    const handler = createHandler(ordersSource({ initialSince: window.since }));
    let result = await handler({ runId, streams: ['orders'], window }, budgetContext(4));
    let invocations = 1;
    while (result.status === 'partial') {
      result = await handler(
        { runId, streams: ['orders'], window, continuation: result.continuation },
        budgetContext(4),
      );
      invocations++;
    }

    // Assess: 12:00:00 up to 13:00:00 (half-open: 13:00:00 is the next window's), each once; what the API sent after it counted
    expect(invocations).toBeGreaterThan(1);
    const inside = orders.filter(
      (o) => o.updated_at >= '2026-11-20T12:00:00' && o.updated_at < '2026-11-20T13:00:00.000Z',
    );
    expect(inside).toHaveLength(3_600);
    const landed = await readLanded(bucket, outputFolder, 'orders', runId);
    expect(landed.records.map((r) => r.id)).toEqual(inside.map((o) => o.id));
    expect(landed.manifest).toMatchObject({ records: 3_600 });
    const sent = orders.filter((o) => o.updated_at >= '2026-11-20T12:00:00').length;
    expect(result.streams[0]).toMatchObject({ records: 3_600, filteredOut: sent - 3_600 });
    expect(landed.state?.watermark).toBe('2026-11-20T12:59:59.000Z');
  });
});
