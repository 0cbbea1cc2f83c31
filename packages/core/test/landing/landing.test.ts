/**
 * The landing path end to end: a real loopback API, the handler, moto's S3. 50k records across 100
 * pages land as the expected part files (records in order), a manifest with each part's sha256, a
 * watermark; a rerun changes nothing a reader sees; a backfill never moves the watermark back.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { createHandler } from '@tributary/core';
import {
  type Manifest,
  ManifestSchema,
  manifestKey,
  partKey,
  stateKey,
  toNdjson,
  type WatermarkState,
} from '@tributary/core/raw-zone';
import { createBucket, type FixtureApi, getJson, getObject, listKeys } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, type Order, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-main-test';
const outputFolder = 'sales/orders-api';
const runId = '2026-11-23T06-00-00Z-land';
const at = { outputFolder, stream: 'orders', importDate: '20261123', runId };
const PAGE = 500;
const PART = 256 * 1024;
const orders = makeOrders(50_000);
const source = ordersSource({ partSizeBytes: PART });
const handler = createHandler(source);
let api: FixtureApi;

/** Records per part when pages of PAGE records roll into a new part after PART bytes of NDJSON. */
function expectedParts(records: Order[]): number[] {
  const parts: number[] = [];
  let bytes = 0;
  let count = 0;
  for (let i = 0; i < records.length; i += PAGE) {
    const page = records.slice(i, i + PAGE);
    bytes += toNdjson(page).length;
    count += page.length;
    if (bytes >= PART) {
      parts.push(count);
      bytes = 0;
      count = 0;
    }
  }
  if (count > 0) parts.push(count);
  return parts;
}

async function decompressed(key: string): Promise<unknown[]> {
  const text = gunzipSync(await getObject(bucket, key)).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(orders, { pageSize: PAGE });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

describe('a run of 50k records', () => {
  it('lands the records in order as gzip NDJSON parts, then a manifest, then the watermark', async () => {
    // Act
    const result = await handler({ runId, streams: ['orders'] }, budgetContext(Number.POSITIVE_INFINITY));

    // Assess: result
    expect(result.status).toBe('complete');
    expect(result.continuation).toBeNull();
    const manifestUri = `s3://${bucket}/${manifestKey(at)}`;
    expect(result.streams).toEqual([
      expect.objectContaining({ stream: 'orders', records: 50_000, pages: 100, manifest: manifestUri }),
    ]);
    expect(api.requestsTo('/orders')).toHaveLength(100);

    // Assess: keys — one attempt (this invocation's) names every part, after its index
    const manifest = await getJson<Manifest>(bucket, manifestKey(at));
    // Assess: the manifest as landed is exactly its contract's (ManifestSchema: no field more or less)
    expect(ManifestSchema.parse(manifest)).toEqual(manifest);
    const attempt = /part-00000-([0-9a-f]{12})\.ndjson\.gz$/.exec(manifest.parts[0]!.key)?.[1];
    expect(attempt).toBeDefined();
    const perPart = expectedParts(orders);
    expect(perPart.length).toBeGreaterThan(5);
    const keys = await listKeys(bucket, `${outputFolder}/orders/`);
    expect(keys).toEqual([...perPart.map((_, i) => partKey(at, i, attempt)), manifestKey(at)].sort());
    expect(partKey(at, 0, attempt)).toBe(
      `sales/orders-api/orders/import_year=2026/import_month=11/import_day=23/import_date=20261123/run_id=2026-11-23T06-00-00Z-land/part-00000-${attempt}.ndjson.gz`,
    );

    // Assess: content, in order
    const landed: unknown[] = [];
    for (let i = 0; i < perPart.length; i++) {
      const records = await decompressed(partKey(at, i, attempt));
      expect(records).toHaveLength(perPart[i]!);
      landed.push(...records);
    }
    expect(landed).toEqual(orders);

    // Assess: manifest
    expect(manifest).toMatchObject({
      runId,
      source: 'orders-api',
      stream: 'orders',
      records: 50_000,
      pages: 100,
      watermark: orders.at(-1)!.updated_at,
      primaryKey: ['id'],
      cursorField: 'updated_at',
      writeDisposition: 'merge',
      schemaContract: 'evolve',
      window: { since: null },
    });
    expect(result.streams[0]!.bytes).toBe(manifest.bytes);
    for (const [i, part] of manifest.parts.entries()) {
      const body = await getObject(bucket, part.key);
      expect(part).toMatchObject({ key: partKey(at, i, attempt), records: perPart[i], bytes: body.length });
      expect(part.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    }

    // Assess: watermark
    const state = await getJson<WatermarkState>(bucket, stateKey(outputFolder, 'orders'));
    expect(state).toMatchObject({ watermark: orders.at(-1)!.updated_at, runId });
    expect(result.streams[0]!.watermark).toBe(orders.at(-1)!.updated_at);
  });

  it('rerunning the finished run lands the same content under new part keys, removes the old parts after its manifest, and leaves the watermark alone', async () => {
    // Prepare
    const keysBefore = await listKeys(bucket, `${outputFolder}/orders/`);
    const manifestBefore = await getJson<Manifest>(bucket, manifestKey(at));
    const stateBefore = await getJson(bucket, stateKey(outputFolder, 'orders'));
    const requestsBefore = api.requests.length;

    // Act
    const result = await handler(
      { runId, source: 'orders-api', streams: ['orders'] },
      budgetContext(Infinity),
    );

    // Assess
    expect(api.requests.length - requestsBefore).toBe(100); // it did read again, the same window
    expect(result.streams[0]).toMatchObject({ records: 50_000, pages: 100 });
    const manifestAfter = await getJson<Manifest>(bucket, manifestKey(at));
    const keysAfter = await listKeys(bucket, `${outputFolder}/orders/`);
    // Same parts, byte for byte, under keys of the rerun's attempt; the old keys are gone.
    const withoutKey = (parts: Manifest['parts']) => parts.map(({ key: _, ...rest }) => rest);
    expect(withoutKey(manifestAfter.parts)).toEqual(withoutKey(manifestBefore.parts));
    expect(keysAfter).toEqual([...manifestAfter.parts.map((p) => p.key), manifestKey(at)].sort());
    expect(keysAfter.filter((k) => keysBefore.includes(k))).toEqual([manifestKey(at)]);
    expect(manifestAfter.window).toEqual(manifestBefore.window);
    expect(manifestAfter.records).toBe(manifestBefore.records);
    expect(await getJson(bucket, stateKey(outputFolder, 'orders'))).toEqual(stateBefore);
  });
});

describe('the watermark', () => {
  it('only moves forward: a backfill of older data leaves it, the next run starts from it minus the lookback', async () => {
    // Prepare
    const stateBefore = await getJson<WatermarkState>(bucket, stateKey(outputFolder, 'orders'));
    const backfill = { since: '2026-11-01T00:00:00Z', until: '2026-11-01T01:00:00Z' };

    // Act: a backfill run
    const back = await handler(
      { runId: '2026-11-23T07-00-00Z-back', streams: ['orders'], window: backfill },
      budgetContext(Infinity),
    );

    // Assess: it landed, with its window in the manifest, and the watermark did not move
    expect(back.status).toBe('complete');
    const backManifest = await getJson<Manifest>(
      bucket,
      manifestKey({ ...at, runId: '2026-11-23T07-00-00Z-back' }),
    );
    expect(backManifest.window).toEqual({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-01T01:00:00.000Z',
    });
    expect(await getJson(bucket, stateKey(outputFolder, 'orders'))).toEqual(stateBefore);
    expect(back.streams[0]!.watermark).toBe(stateBefore.watermark);

    // Act: a default (incremental) run
    const before = api.requests.length;
    const next = await handler(
      { runId: '2026-11-24T06-00-00Z-next', streams: ['orders'] },
      budgetContext(Infinity),
    );

    // Assess: it asked for records since the watermark minus 60 s of lookback
    const asked = api.requests.slice(before).map((r) => Date.parse(r.query.get('since') ?? ''));
    expect(new Set(asked)).toEqual(new Set([Date.parse(stateBefore.watermark!) - 60_000]));
    expect(next.streams[0]!.records).toBe(61); // the last minute of records, inclusive
    expect((await getJson<WatermarkState>(bucket, stateKey(outputFolder, 'orders'))).watermark).toBe(
      stateBefore.watermark,
    );
  });
});

describe('a rerun that lands fewer parts', () => {
  it('deletes the stale higher-numbered parts: the prefix holds exactly what the manifest lists', async () => {
    // Prepare: a first attempt with small parts
    const rerunId = '2026-11-23T08-00-00Z-fewer';
    const loc = { ...at, runId: rerunId };
    const window = { since: '2026-11-01T00:00:00Z', until: '2026-11-02T00:00:00Z' };
    await createHandler(ordersSource({ partSizeBytes: 64 * 1024 }))(
      { runId: rerunId, streams: ['orders'], window },
      budgetContext(Infinity),
    );
    const before = (await listKeys(bucket, `${outputFolder}/orders/`)).filter((k) => k.includes(rerunId));

    // Act: the same run again, with parts four times larger
    await createHandler(ordersSource({ partSizeBytes: 256 * 1024 }))(
      { runId: rerunId, streams: ['orders'], window },
      budgetContext(Infinity),
    );

    // Assess
    const after = (await listKeys(bucket, `${outputFolder}/orders/`)).filter((k) => k.includes(rerunId));
    const manifest = await getJson<{ parts: Array<{ key: string }>; records: number }>(
      bucket,
      manifestKey(loc),
    );
    expect(after.length).toBeLessThan(before.length);
    expect(after).toEqual([...manifest.parts.map((p) => p.key), manifestKey(loc)].sort());
    expect(manifest.records).toBe(50_000);
  });
});
