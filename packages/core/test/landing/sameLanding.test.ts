/**
 * The seam is real: the same run of the same source, landed once through the default storage (S3,
 * moto) and once through `HandlerOptions.storage` (a Map), leaves the same keys, the same manifests
 * (parts' records, bytes and sha256 included), the same watermark state and the same result — for a
 * parent, a child that reads the parent's parts back, and a rerun whose stale parts are removed.
 * Only what differs by nature is normalized: each invocation's attempt id, the clock, the URI scheme.
 */
import { createHash } from 'node:crypto';
import { createHandler, type HandlerResult } from '@tributary/core';
import { createBucket, type FixtureApi, getObject, listKeys } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { MemoryStorage } from './support/memoryStorage.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'storage-seam-test';
const outputFolder = 'sales/orders-api';
const runId = '2026-11-23T06-00-00Z-seam';
const event = {
  runId,
  window: { since: '2026-11-01T00:00:00Z', until: '2026-11-02T00:00:00Z' },
};
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(makeOrders(200), { pageSize: 20, linesPerOrder: 3, linesPageSize: 2 });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

/** Part keys carry the invocation's random attempt id. */
const normalKey = (key: string) => key.replace(/-[0-9a-z]{1,32}\.ndjson\.gz$/, '-<attempt>.ndjson.gz');

/** A stored object as compared: JSON with the clock and attempts normalized, a part as its sha256. */
function normalObject(key: string, bytes: Buffer): unknown {
  if (!key.endsWith('.json')) return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return JSON.parse(bytes.toString('utf8'), (k, v) => {
    if (k === 'startedAt' || k === 'finishedAt' || k === 'updatedAt') return '<time>';
    if (k === 'key' && typeof v === 'string') return normalKey(v);
    return v;
  });
}

function normalResult(result: HandlerResult, scheme: string): unknown {
  return result.streams.map((s) => ({ ...s, manifest: s.manifest?.replace(scheme, '<storage>/') }));
}

/** Two runs of `runId`: small parts first, then a rerun with parts four times larger. */
async function land(storage?: MemoryStorage): Promise<HandlerResult[]> {
  const results: HandlerResult[] = [];
  for (const partSizeBytes of [2 * 1024, 8 * 1024]) {
    // From the stream's initialSince, so the first run of a fresh folder sets a first watermark.
    const handler = createHandler(
      // One walk at a time: the child's pages in one order, so that both landings' bytes are equal.
      ordersSource({ partSizeBytes, initialSince: event.window.since, concurrency: 1 }),
      storage ? { storage: () => storage } : undefined,
    );
    results.push(await handler(event, budgetContext(Number.POSITIVE_INFINITY)));
  }
  return results;
}

describe('one landing, two storages', () => {
  it('leaves the same keys, manifests, watermark and result in S3 and in a Map', async () => {
    // Act
    const viaS3 = await land();
    const memory = new MemoryStorage();
    const viaMemory = await land(memory);

    // Assess: results
    expect(viaS3.map((r) => r.status)).toEqual(['complete', 'complete']);
    expect(viaMemory.map((r) => normalResult(r, 'memory://'))).toEqual(
      viaS3.map((r) => normalResult(r, `s3://${bucket}/`)),
    );
    expect(viaS3[1]!.streams.map((s) => [s.stream, s.records])).toEqual([
      ['orders', 200],
      ['order_lines', 600],
    ]);

    // Assess: keys (the rerun removed the first run's stale parts in both)
    const s3Keys = await listKeys(bucket);
    const memoryKeys = await memory.list('');
    expect(memoryKeys.map(normalKey)).toEqual(s3Keys.map(normalKey));
    const parts = (stream: string) => s3Keys.filter((k) => k.includes(`/${stream}/`) && k.endsWith('.gz'));
    expect(parts('orders').length).toBeGreaterThan(1);
    expect(parts('order_lines').length).toBeGreaterThan(1);
    expect(s3Keys).toContain(`_state/${outputFolder}/orders.json`);

    // Assess: every manifest and the watermark, field by field; every part, byte for byte
    for (const [i, key] of s3Keys.entries()) {
      const fromMemory = memory.objects.get(memoryKeys[i]!)!;
      expect(normalObject(memoryKeys[i]!, fromMemory)).toEqual(
        normalObject(key, await getObject(bucket, key)),
      );
    }
  });
});
