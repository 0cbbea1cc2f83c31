/**
 * Two gaps found in review, at the handler against the orders API (which takes `since` only):
 * - consecutive windows share their boundary: with the client applying `until`, a record exactly on
 *   a backfill slice's boundary must land in one slice, not both (half-open `[since, until)`);
 * - a backfill must not leave a watermark that claims data before its window was read.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHandler } from '@tributary/core';
import { createBucket, type FixtureApi, getJson, readLanded } from '@tributary/testkit';
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

const putState = (outputFolder: string, watermark: string) =>
  new S3Client({ forcePathStyle: true }).send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `_state/${outputFolder}/orders.json`,
      Body: JSON.stringify({ watermark, runId: 'nightly', updatedAt: '2026-11-20T12:00:00Z' }),
    }),
  );

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

describe('a backfill never claims data before its window', () => {
  const backfill = { since: '2026-11-20T11:05:00Z', until: '2026-11-20T11:10:00Z' };

  it('sets no first watermark when its window starts after the beginning: the next run reads from there', async () => {
    // Prepare: a stream that has never run, read from the beginning (no initialSince)
    const outputFolder = freshFolder();
    const handler = createHandler(ordersSource());

    // Act: a backfill of 11:05–11:10, then the first scheduled run
    const filled = await runToEnd(handler, {
      runId: '2026-11-23-fill',
      streams: ['orders'],
      window: backfill,
    });
    const state = await readLanded(bucket, outputFolder, 'orders', '2026-11-23-fill');
    const before = api.requests.length;
    const next = await runToEnd(handler, { runId: '2026-11-24T06-00-00Z', streams: ['orders'] });

    // Assess: the backfill landed its window and left no watermark; the scheduled run read from the start
    expect(filled.streams[0]).toMatchObject({ records: 300, watermark: null });
    expect(state.state).toBeUndefined();
    expect(api.requests.slice(before).every((r) => !r.query.has('since'))).toBe(true);
    expect(next.streams[0]).toMatchObject({ records: 1_000, watermark: orders.at(-1)!.updated_at });
  });

  it('sets the first watermark when it starts at the stream initialSince, not when it starts after it', async () => {
    // Prepare
    const after = freshFolder();
    const late = createHandler(ordersSource({ initialSince: '2026-11-20T11:00:00Z' }));
    await runToEnd(late, { runId: '2026-11-23-late', streams: ['orders'], window: backfill });
    const from = freshFolder();
    const onTime = createHandler(ordersSource({ initialSince: backfill.since }));

    // Act
    const result = await runToEnd(onTime, {
      runId: '2026-11-23-on-time',
      streams: ['orders'],
      window: backfill,
    });

    // Assess
    expect((await readLanded(bucket, after, 'orders', '2026-11-23-late')).state).toBeUndefined();
    expect(result.streams[0]).toMatchObject({ watermark: '2026-11-20T11:09:59.000Z' });
    expect(await getJson(bucket, `_state/${from}/orders.json`)).toMatchObject({
      watermark: '2026-11-20T11:09:59.000Z',
    });
  });

  it('moves a stored watermark only when its window starts at or before it', async () => {
    // Prepare: watermarks at 11:02 (a gap before the backfill's 11:05) and at 11:06 (none)
    const gap = freshFolder();
    await putState(gap, '2026-11-20T11:02:00.000Z');
    const gapResult = await runToEnd(createHandler(ordersSource()), {
      runId: '2026-11-23-gap',
      streams: ['orders'],
      window: backfill,
    });
    const joined = freshFolder();
    await putState(joined, '2026-11-20T11:06:00.000Z');

    // Act
    const joinedResult = await runToEnd(createHandler(ordersSource()), {
      runId: '2026-11-23-joined',
      streams: ['orders'],
      window: backfill,
    });

    // Assess
    expect(gapResult.streams[0]).toMatchObject({ records: 300, watermark: '2026-11-20T11:02:00.000Z' });
    expect(joinedResult.streams[0]).toMatchObject({ records: 300, watermark: '2026-11-20T11:09:59.000Z' });
  });
});
