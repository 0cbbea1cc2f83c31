/**
 * Failures while landing: S3 cut in the middle of a stream (a proxy in front of moto drops the
 * connections), a multipart upload cut between its parts, the API failing mid-stream. Each time:
 * the handler throws a typed error, nothing under the run's prefix a reader could take as complete,
 * no manifest, the watermark untouched.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHandler } from '@tributary/core';
import { manifestKey, runPrefix, stateKey } from '@tributary/core/raw-zone';
import {
  createBucket,
  type FaultProxy,
  type FixtureApi,
  getJson,
  getObject,
  listKeys,
  startFaultProxy,
} from '@tributary/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-failure-test';
const outputFolder = 'sales/orders-api';
const motoEndpoint = process.env.AWS_ENDPOINT_URL!;
const orders = makeOrders(5_000);
let api: FixtureApi;
let proxy: FaultProxy;

const at = (runId: string) => ({ outputFolder, stream: 'orders', importDate: '20261123', runId });

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(orders, { pageSize: 100 });
  proxy = await startFaultProxy(motoEndpoint);
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
  // A first complete run, of the first 1,000 orders, sets the watermark that the failed runs (which
  // read on from it) would move if they succeeded.
  const early = await startOrdersApi(orders.slice(0, 1_000), { pageSize: 100 });
  process.env.API_BASE_URL = early.url;
  const first = await createHandler(ordersSource())(
    { runId: '2026-11-22T06-00-00Z-ok', streams: ['orders'] },
    budgetContext(Infinity),
  );
  await early.close();
  process.env.API_BASE_URL = api.url;
  expect(first.streams[0]!.watermark).toBe(orders[999]!.updated_at);
});
afterEach(() => {
  proxy.cut(undefined);
  process.env.AWS_ENDPOINT_URL = motoEndpoint;
});
afterAll(async () => {
  await api.close();
  await proxy.close();
});

describe('S3 failing in the middle of a stream', () => {
  it('aborts, removes the parts it landed, writes no manifest and leaves the watermark', async () => {
    // Prepare: parts of 64 KiB (about 5 pages each); part-00002's upload never gets through.
    const runId = '2026-11-23T06-00-00Z-s3cut';
    const stateBefore = await getJson(bucket, stateKey(outputFolder, 'orders'));
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(({ method, url }) => method === 'PUT' && url.includes('part-00002'));
    const handler = createHandler(ordersSource({ partSizeBytes: 64 * 1024 }));

    // Act
    const failure = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity)).catch((e) => e);

    // Assess
    expect(failure).toMatchObject({ name: 'SinkError', retryable: true });
    expect(failure.message).toMatch(/part-00002-[0-9a-f]{12}\.ndjson\.gz/);
    expect(failure.message).toContain('stream orders');
    expect(proxy.requests.some((r) => r.cut)).toBe(true);
    expect(proxy.requests.some((r) => r.method === 'PUT' && r.url.includes('part-00001') && !r.cut)).toBe(
      true,
    );
    expect(await listKeys(bucket, runPrefix(at(runId)))).toEqual([]);
    expect(await getJson(bucket, stateKey(outputFolder, 'orders'))).toEqual(stateBefore);
  });

  it('aborts a multipart upload cut between its parts: no object, no upload left open', async () => {
    // Prepare: 12 MB of incompressible records in one part → a multipart upload of 5 MiB parts.
    const runId = '2026-11-23T06-00-00Z-mpcut';
    const fat = makeOrders(8_000, Date.parse('2026-11-02T00:00:00Z'), 1_100);
    const fatApi = await startOrdersApi(fat, { pageSize: 500 });
    process.env.API_BASE_URL = fatApi.url;
    const stateBefore = await getJson(bucket, stateKey(outputFolder, 'orders'));
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(({ method, url }) => method === 'PUT' && url.includes('partNumber=2'));
    const handler = createHandler(ordersSource({ partSizeBytes: 64 * 1024 * 1024 }));

    try {
      // Act
      const failure = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity)).catch((e) => e);

      // Assess
      expect(failure).toMatchObject({ name: 'SinkError' });
      expect(proxy.requests.some((r) => r.method === 'POST' && r.url.includes('uploads'))).toBe(true);
      expect(proxy.requests.some((r) => r.cut && r.url.includes('partNumber=2'))).toBe(true);
      expect(await listKeys(bucket, runPrefix(at(runId)))).toEqual([]);
      const open = await new S3Client({ forcePathStyle: true }).send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: runPrefix(at(runId)) }),
      );
      expect(open.Uploads ?? []).toEqual([]);
      expect(await getJson(bucket, stateKey(outputFolder, 'orders'))).toEqual(stateBefore);
    } finally {
      process.env.API_BASE_URL = api.url;
      await fatApi.close();
    }
  });
});

describe('the API failing in the middle of a stream', () => {
  it('throws the reader error, leaves no part and no manifest, and the watermark as it was', async () => {
    // Prepare: page 12 answers 500 for good (the reader retries, then gives up); parts of 16 KiB so that some landed before.
    const runId = '2026-11-23T06-00-00Z-apifail';
    const failing = await startOrdersApi(orders, { pageSize: 100, failPage: 12 });
    process.env.API_BASE_URL = failing.url;
    const stateBefore = await getJson(bucket, stateKey(outputFolder, 'orders'));
    const handler = createHandler(ordersSource({ partSizeBytes: 16 * 1024 }));

    try {
      // Act
      const failure = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity)).catch((e) => e);

      // Assess
      expect(failure).toMatchObject({ name: 'TransientError', retryable: true });
      expect(String(failure.message)).toContain('500');
      expect(await listKeys(bucket, runPrefix(at(runId)))).toEqual([]);
      expect(await listKeys(bucket, manifestKey(at(runId)))).toEqual([]);
      expect(await getJson(bucket, stateKey(outputFolder, 'orders'))).toEqual(stateBefore);
    } finally {
      process.env.API_BASE_URL = api.url;
      await failing.close();
    }
  });
});

describe('a parent part changed after it landed', () => {
  it('fails the child with a SinkError instead of feeding it different parents', async () => {
    // Prepare: one page per invocation until the parent is complete (the child starts only after)
    const small = await startOrdersApi(makeOrders(300), { pageSize: 100, linesPerOrder: 1 });
    process.env.API_BASE_URL = small.url;
    process.env.OUTPUT_FOLDER = 'sales/tampered';
    const runId = '2026-11-23T06-00-00Z-tamper';
    const handler = createHandler(ordersSource());
    try {
      let result = await handler({ runId, streams: ['order_lines'] }, budgetContext(1));
      while (result.streams[0]!.status !== 'complete') {
        result = await handler({ runId, continuation: result.continuation }, budgetContext(1));
      }
      expect(result.status).toBe('partial');
      const parentManifest = await getJson<{ parts: Array<{ key: string }> }>(
        bucket,
        manifestKey({ outputFolder: 'sales/tampered', stream: 'orders', importDate: '20261123', runId }),
      );
      const part = parentManifest.parts[0]!.key;
      expect(part).toMatch(/\/part-00000-[0-9a-f]{12}\.ndjson\.gz$/);
      const lines = gunzipSync(await getObject(bucket, part))
        .toString()
        .split('\n');
      lines[0] = lines[0]!.replace('"id":1,', '"id":999999,');
      await new S3Client({ forcePathStyle: true }).send(
        new PutObjectCommand({ Bucket: bucket, Key: part, Body: gzipSync(lines.join('\n')) }),
      );

      // Act
      const failure = await handler(
        { runId, continuation: result.continuation },
        budgetContext(Infinity),
      ).catch((e) => e);

      // Assess
      expect(failure).toMatchObject({ name: 'SinkError' });
      expect(failure.message).toContain('does not match the sha256 its manifest lists');
    } finally {
      process.env.API_BASE_URL = api.url;
      process.env.OUTPUT_FOLDER = outputFolder;
      await small.close();
    }
  });
});
