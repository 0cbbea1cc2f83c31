/**
 * Two gaps found in review, at the handler against the orders API (which takes `since` only):
 * - consecutive windows share their boundary: with the client applying `until`, a record exactly on
 *   a backfill slice's boundary must land in one slice, not both (half-open `[since, until)`);
 * - a backfill must not leave a watermark that claims data before its window was read.
 */
import { createHandler } from '@tributary/core';
import { createBucket, type FixtureApi, readLanded } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-window-bounds-test';
// One order a second from 11:00 to 11:16:40, in pages of 100 (the API knows nothing of `until`)
const orders = makeOrders(1_000, Date.parse('2026-11-20T11:00:00Z'));
let api: FixtureApi;
let folders = 0;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(orders, { pageSize: 100 });
});
afterAll(async () => {
  await api.close();
});

/** A fresh output folder (no watermark yet), the handler pointed at it. */
function freshFolder(): string {
  const outputFolder = `sales/bounds-${++folders}`;
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
  return outputFolder;
}

type Handler = ReturnType<typeof createHandler>;

async function runToEnd(handler: Handler, event: Record<string, unknown>) {
  let result = await handler(event, budgetContext(1_000));
  while (result.status === 'partial')
    result = await handler({ ...event, continuation: result.continuation }, budgetContext(1_000));
  return result;
}

describe('window bounds are half-open', () => {
  it('lands a record on the boundary of two backfill slices in one of them', async () => {
    // Prepare: two slices meeting at 11:05:00, where an order is
    const outputFolder = freshFolder();
    const handler = createHandler(ordersSource());
    const runId = '2026-11-23-halves';
    const slices = [
      { since: '2026-11-20T11:00:00Z', until: '2026-11-20T11:05:00Z' },
      { since: '2026-11-20T11:05:00Z', until: '2026-11-20T11:10:00Z' },
    ];
    expect(orders.some((o) => o.updated_at === '2026-11-20T11:05:00.000Z')).toBe(true);

    // Act
    for (const window of slices) await runToEnd(handler, { runId, streams: ['orders'], window, slice: true });

    // Assess: 11:00:00 up to 11:10:00, each order once over both slices; the boundary's in the second
    const ids: number[] = [];
    const second: string[] = [];
    for (const [i, window] of slices.entries()) {
      const sliceId = i === 0 ? '20261120T110000Z-20261120T110500Z' : '20261120T110500Z-20261120T111000Z';
      const landed = await readLanded(bucket, outputFolder, 'orders', `${runId}.slice-${sliceId}`);
      expect(landed.manifest).toMatchObject({ window: { since: new Date(window.since).toISOString() } });
      ids.push(...landed.records.map((r) => r.id as number));
      if (i === 1) second.push(...landed.records.map((r) => r.updated_at as string));
    }
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(second[0]).toBe('2026-11-20T11:05:00.000Z');
  });
});
