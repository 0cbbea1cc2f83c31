/**
 * Continuation: with the deadline forced small the handler returns `partial` several times; chaining
 * the continuations lands exactly the served records, once each, and the manifest lists the parts
 * of every invocation. A child stream reads its parent's landed records back from S3 across
 * invocations.
 */
import { gunzipSync } from 'node:zlib';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHandler, type HandlerResult } from '@tributary/core';
import { manifestKey, partKey } from '@tributary/core/raw-zone';
import { createBucket, type FixtureApi, getJson, getObject, listKeys, readLanded } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-continuation-test';
const outputFolder = 'sales/orders-api';
const orders = makeOrders(3_000);
const handler = createHandler(ordersSource({ partSizeBytes: 64 * 1024 }));
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(orders, { pageSize: 100, linesPerOrder: 3, linesPageSize: 2 });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

/** Invokes until complete, each invocation with `checks` looks at the clock; returns every result. */
async function chain(event: Record<string, unknown>, checks: number): Promise<HandlerResult[]> {
  const results: HandlerResult[] = [];
  let continuation: unknown = null;
  for (let i = 0; i < 200; i++) {
    const result = await handler({ ...event, continuation }, budgetContext(checks));
    results.push(result);
    // The continuation is plain JSON, small, and goes back unchanged (as through Step Functions).
    expect(JSON.stringify(result.continuation).length).toBeLessThan(256 * 1024);
    if (result.status === 'complete') return results;
    continuation = JSON.parse(JSON.stringify(result.continuation));
  }
  throw new Error('the run never completed');
}

describe('a run stopped by its deadline', () => {
  it('resumes at the next page: all invocations together land each served record exactly once', async () => {
    // Act: about 4 pages per invocation
    const runId = '2026-11-23T06-00-00Z-cont';
    const results = await chain({ runId, streams: ['orders'] }, 5);

    // Assess
    expect(results.length).toBeGreaterThan(3);
    expect(results.slice(0, -1).every((r) => r.status === 'partial' && r.continuation !== null)).toBe(true);
    expect(results.at(-1)!.streams[0]).toMatchObject({ records: 3_000, pages: 30, status: 'complete' });
    const landed = await readLanded(bucket, outputFolder, 'orders', runId);
    expect(landed.records).toEqual(orders);
    // Every page was asked for, none skipped; at most one read-ahead per stop was asked for again.
    const cursors = api.requestsTo('/orders').map((r) => r.query.get('cursor') ?? '0');
    expect([...new Set(cursors)].sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => String(i * 100)).sort(),
    );
    expect(cursors.length - 30).toBeLessThanOrEqual(results.length);

    const manifest = landed.manifest as { parts: Array<{ key: string; records: number }>; records: number };
    const partKeys = (await listKeys(bucket, `${outputFolder}/orders/`)).filter((k) => k.endsWith('.gz'));
    expect(manifest.parts.map((p) => p.key)).toEqual(partKeys);
    expect(manifest.parts.length).toBeGreaterThanOrEqual(results.length); // at least one part per invocation
    expect(manifest.records).toBe(3_000);
    let sum = 0;
    for (const part of manifest.parts) {
      const lines = gunzipSync(await getObject(bucket, part.key))
        .toString()
        .split('\n')
        .filter(Boolean);
      expect(lines).toHaveLength(part.records);
      sum += part.records;
    }
    expect(sum).toBe(3_000);
  });

  it('runs a child after its parent across continuations, reading the parent records back from S3', async () => {
    // Prepare: only the child is requested; the parent runs too. Another output folder: no watermark yet.
    const outputFolder = 'sales/orders-api-children';
    process.env.OUTPUT_FOLDER = outputFolder;
    const runId = '2026-11-23T06-00-00Z-child';
    const before = api.requests.length;

    // Act: 6,030 pages, about 400 per invocation
    const results = await chain({ runId, streams: ['order_lines'] }, 400);

    // Assess
    expect(results.filter((r) => r.status === 'partial').length).toBeGreaterThan(3);
    const final = results.at(-1)!;
    expect(final.streams.map((s) => s.stream)).toEqual(['orders', 'order_lines']);
    const parent = await readLanded(bucket, outputFolder, 'orders', runId);
    expect(parent.records).toEqual(orders);
    const child = await readLanded(bucket, outputFolder, 'order_lines', runId);
    const expected = orders.flatMap((o) =>
      [0, 1, 2].map((i) => ({ line_id: o.id * 1000 + i, order_id: o.id, parent_id: o.id })),
    );
    // The walks run at once (4, the default rateLimit.concurrency): their pages interleave.
    const byLine = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      Number(a.line_id) - Number(b.line_id);
    expect(child.records.toSorted(byLine)).toEqual(expected);
    expect(child.manifest).toMatchObject({ records: 9_000, parent: 'orders', primaryKey: ['line_id'] });
    // Each order's two pages of lines were asked for; again after a stop, at most the pages each
    // walk in flight had fetched ahead (two: the one waiting its turn, the one after it).
    const lineRequests = api.requests.slice(before).filter((r) => r.path.endsWith('/lines'));
    const distinct = new Set(lineRequests.map((r) => `${r.path}?${r.query.get('cursor') ?? ''}`));
    expect(distinct.size).toBe(6_000);
    expect(lineRequests.length - 6_000).toBeLessThanOrEqual(results.length * 2 * 4);
    // The child's manifest only exists once complete; its key is the run's.
    expect(final.streams[1]!.manifest).toBe(
      `s3://${bucket}/${manifestKey({ outputFolder, stream: 'order_lines', importDate: '20261123', runId })}`,
    );
    expect(
      await getJson(
        bucket,
        manifestKey({ outputFolder, stream: 'order_lines', importDate: '20261123', runId }),
      ),
    ).toBeTruthy();
  });
});

describe('a continuation written before part keys had an attempt', () => {
  it('is resumed: its parts keep their keys (part-<index>.ndjson.gz) in the manifest, the new ones get an attempt', async () => {
    // Prepare: a first invocation, then its continuation and objects as the handler wrote them before
    // attempts (4-tuples, `part-00000.ndjson.gz`)
    process.env.OUTPUT_FOLDER = 'sales/orders-api-legacy';
    const runId = '2026-11-23T06-00-00Z-legacy';
    const at = { outputFolder: 'sales/orders-api-legacy', stream: 'orders', importDate: '20261123', runId };
    try {
      const first = await handler({ runId, streams: ['orders'] }, budgetContext(14));
      expect(first.status).toBe('partial');
      const continuation = JSON.parse(JSON.stringify(first.continuation));
      const parts = continuation.streams.orders.parts as [number, number, string, number, string][];
      expect(parts.length).toBeGreaterThanOrEqual(2);
      const s3 = new S3Client({ forcePathStyle: true });
      for (const [i, part] of parts.entries()) {
        const body = await getObject(bucket, partKey(at, i, part[4]));
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: partKey(at, i), Body: body }));
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: partKey(at, i, part[4]) }));
        part.pop();
      }

      // Act
      const result = await handler({ runId, continuation }, budgetContext(Infinity));

      // Assess
      expect(result.status).toBe('complete');
      const manifest = await getJson<{ parts: Array<{ key: string; sha256: string }>; records: number }>(
        bucket,
        manifestKey(at),
      );
      expect(manifest.records).toBe(3_000);
      expect(manifest.parts.slice(0, parts.length).map((p) => p.key)).toEqual(
        parts.map((_, i) => partKey(at, i)),
      );
      expect(manifest.parts.slice(parts.length).every((p) => /-[0-9a-f]{12}\.ndjson\.gz$/.test(p.key))).toBe(
        true,
      );
      const landed = await readLanded(bucket, 'sales/orders-api-legacy', 'orders', runId);
      expect(landed.records).toEqual(orders);
    } finally {
      process.env.OUTPUT_FOLDER = outputFolder;
    }
  });
});
