/**
 * The manifest is the only commit point. A rerun of a finished multi-part run lands its parts under
 * its own attempt's keys: until its manifest is written — mid-way, and forever if that write fails —
 * the committed manifest's parts are exactly what it lists (records, bytes, sha256). A failed
 * manifest PUT (cut by a fault proxy in front of moto) leaves no part of the failed invocation
 * behind; a failure after the manifest was written keeps the parts it lists.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { createHandler, defineSource } from '@tributary/core';
import { type Manifest, manifestKey, runPrefix, stateKey } from '@tributary/core/raw-zone';
import {
  createBucket,
  type FaultProxy,
  type FixtureApi,
  getJson,
  getObject,
  listKeys,
  startFaultProxy,
  startFixtureApi,
} from '@tributary/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-commit-point-test';
const outputFolder = 'sales/orders-api';
const motoEndpoint = process.env.AWS_ENDPOINT_URL!;
// 3,000 orders in pages of 100, parts of 64 KiB: about 6 pages per part, 5 parts.
const orders = makeOrders(3_000);
// Explicit windows: every run reads all 3,000 orders, whatever the watermark an earlier test left.
// They start at the stream's initialSince, so a first run of a fresh folder sets a first watermark.
const window = { since: '2026-10-01T00:00:00Z', until: '2026-11-02T00:00:00Z' };
const handler = createHandler(ordersSource({ partSizeBytes: 64 * 1024, initialSince: window.since }));
let api: FixtureApi;
let proxy: FaultProxy;

const at = (runId: string) => ({ outputFolder, stream: 'orders', importDate: '20261123', runId });

/** Every part the manifest lists is there with its bytes, sha256 and number of records. */
async function expectExact(manifest: Manifest): Promise<void> {
  for (const part of manifest.parts) {
    const body = await getObject(bucket, part.key);
    expect(body.length).toBe(part.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(part.sha256);
    const lines = gunzipSync(body).toString('utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(part.records);
  }
}

/** The API's records change between the first run and the rerun (same ids, same cursor, new names). */
function editOrders(tag: string): void {
  for (const order of orders) order.name = `order ${order.id} (${tag})`;
}

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(orders, { pageSize: 100 });
  proxy = await startFaultProxy(motoEndpoint);
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterEach(() => {
  proxy.cut(undefined);
  process.env.AWS_ENDPOINT_URL = motoEndpoint;
});
afterAll(async () => {
  await api.close();
  await proxy.close();
});

/** A first, complete run of `runId`; returns its manifest. */
async function firstRun(runId: string): Promise<Manifest> {
  editOrders('first');
  const result = await handler({ runId, streams: ['orders'], window }, budgetContext(Infinity));
  expect(result.status).toBe('complete');
  const manifest = await getJson<Manifest>(bucket, manifestKey(at(runId)));
  expect(manifest.parts.length).toBeGreaterThanOrEqual(4);
  return manifest;
}

describe('a rerun of a finished multi-part run', () => {
  it('mid-way (parts landed, no new manifest yet) the committed manifest is exact; after, only the new parts are left', async () => {
    // Prepare
    const runId = '2026-11-23T06-00-00Z-rerun-mid';
    const before = await firstRun(runId);
    const manifestBytes = await getObject(bucket, manifestKey(at(runId)));
    editOrders('rerun');

    // Act: the rerun's first invocation stops after 13 pages (two parts and more landed)
    const first = await handler({ runId, streams: ['orders'] }, budgetContext(14));

    // Assess: the rerun landed parts, the committed manifest and every part it lists are unchanged
    expect(first.status).toBe('partial');
    expect(first.streams[0]!.records).toBeGreaterThanOrEqual(1_300);
    expect(await getObject(bucket, manifestKey(at(runId)))).toEqual(manifestBytes);
    await expectExact(before);
    const mid = await listKeys(bucket, runPrefix(at(runId)));
    const listed = new Set(before.parts.map((p) => p.key));
    const rerunParts = mid.filter((k) => k.endsWith('.ndjson.gz') && !listed.has(k));
    expect(rerunParts.length).toBeGreaterThanOrEqual(2);

    // Act: the rest of the rerun
    let result = first;
    while (result.status === 'partial') {
      result = await handler(
        { runId, streams: ['orders'], continuation: JSON.parse(JSON.stringify(result.continuation)) },
        budgetContext(14),
      );
    }

    // Assess: the new manifest lists the rerun's parts (the new data), the old parts are gone
    const after = await getJson<Manifest>(bucket, manifestKey(at(runId)));
    expect(after.records).toBe(3_000);
    await expectExact(after);
    expect(after.parts.some((p) => listed.has(p.key))).toBe(false);
    expect(await listKeys(bucket, runPrefix(at(runId)))).toEqual(
      [...after.parts.map((p) => p.key), manifestKey(at(runId))].sort(),
    );
    const first100 = gunzipSync(await getObject(bucket, after.parts[0]!.key)).toString('utf8');
    expect(first100).toContain('"name":"order 1 (rerun)"');
  });

  it('whose manifest PUT fails: the committed manifest stays exact and none of the rerun parts is left', async () => {
    // Prepare
    const runId = '2026-11-23T06-00-00Z-rerun-putfail';
    const before = await firstRun(runId);
    const manifestBytes = await getObject(bucket, manifestKey(at(runId)));
    const keysBefore = await listKeys(bucket, runPrefix(at(runId)));
    const stateBefore = await getJson(bucket, stateKey(outputFolder, 'orders'));
    editOrders('rerun');
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(({ method, url }) => method === 'PUT' && url.includes('/_manifest.json'));

    // Act
    const failure = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity)).catch((e) => e);

    // Assess
    expect(failure).toMatchObject({ name: 'SinkError', retryable: true });
    expect(failure.message).toContain('_manifest.json');
    expect(proxy.requests.some((r) => r.cut && r.url.includes('/_manifest.json'))).toBe(true);
    // The rerun did land parts (and they went to keys of its own)…
    const rerunPuts = proxy.requests.filter(
      (r) => r.method === 'PUT' && r.url.includes('.ndjson.gz') && !r.cut,
    );
    expect(rerunPuts.length).toBeGreaterThanOrEqual(4);
    expect(rerunPuts.some((r) => before.parts.some((p) => r.url.includes(p.key)))).toBe(false);
    // …and removed them: the prefix is exactly the committed state, byte for byte.
    expect(await listKeys(bucket, runPrefix(at(runId)))).toEqual(keysBefore);
    expect(await getObject(bucket, manifestKey(at(runId)))).toEqual(manifestBytes);
    await expectExact(before);
    expect(await getJson(bucket, stateKey(outputFolder, 'orders'))).toEqual(stateBefore);
  });
});

describe('a first run whose manifest PUT fails', () => {
  it('leaves no part behind, no manifest, and the watermark as it was', async () => {
    // Prepare
    const runId = '2026-11-23T06-00-00Z-first-putfail';
    const stateBefore = await getJson(bucket, stateKey(outputFolder, 'orders')).catch(() => undefined);
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(({ method, url }) => method === 'PUT' && url.includes('/_manifest.json'));

    // Act
    const failure = await handler({ runId, streams: ['orders'], window }, budgetContext(Infinity)).catch(
      (e) => e,
    );

    // Assess
    expect(failure).toMatchObject({ name: 'SinkError' });
    const partPuts = proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes(runId));
    expect(partPuts.some((r) => r.url.includes('/part-00000') && !r.cut)).toBe(true);
    expect(await listKeys(bucket, runPrefix(at(runId)))).toEqual([]);
    expect(await getJson(bucket, stateKey(outputFolder, 'orders')).catch(() => undefined)).toEqual(
      stateBefore,
    );
  });
});

describe('a failure after the manifest was written (the watermark PUT)', () => {
  it('keeps the parts the manifest lists; a retry commits new parts and removes those', async () => {
    // Prepare: a fresh output folder, so that this run moves the watermark
    process.env.OUTPUT_FOLDER = 'sales/after-commit';
    const runId = '2026-11-23T06-00-00Z-after-commit';
    const loc = { ...at(runId), outputFolder: 'sales/after-commit' };
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(({ method, url }) => method === 'PUT' && url.includes('/_state/'));
    try {
      // Act
      const failure = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity)).catch((e) => e);

      // Assess: failed, but committed — and what it committed is exact
      expect(failure).toMatchObject({ name: 'SinkError' });
      const committed = await getJson<Manifest>(bucket, manifestKey(loc));
      expect(committed.records).toBe(3_000);
      await expectExact(committed);
      expect(await listKeys(bucket, runPrefix(loc))).toEqual(
        [...committed.parts.map((p) => p.key), manifestKey(loc)].sort(),
      );

      // Act: the state machine's retry, with S3 healed
      proxy.cut(undefined);
      const retried = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity));

      // Assess
      expect(retried.status).toBe('complete');
      const after = await getJson<Manifest>(bucket, manifestKey(loc));
      await expectExact(after);
      expect(after.parts.some((p) => committed.parts.some((c) => c.key === p.key))).toBe(false);
      expect(await listKeys(bucket, runPrefix(loc))).toEqual(
        [...after.parts.map((p) => p.key), manifestKey(loc)].sort(),
      );
      expect(retried.streams[0]!.watermark).toBe(orders.at(-1)!.updated_at);
    } finally {
      process.env.OUTPUT_FOLDER = outputFolder;
    }
  });
});

describe('a failed invocation with another stream still running', () => {
  it('removes what the other stream landed in it too: its continuation is never returned', async () => {
    // Prepare: two independent streams; `fast`'s last page waits until `slow` has asked for its
    // third page (so `slow` has landed pages when `fast` fails), then `fast`'s manifest PUT is cut.
    const runId = '2026-11-23T06-00-00Z-two-streams';
    const folder = 'sales/two-streams';
    const rows = makeOrders(10_000);
    let slowAsked = 0;
    let slowHasPages: () => void = () => undefined;
    const slowReady = new Promise<void>((ok) => {
      slowHasPages = ok;
    });
    const twoApi = await startFixtureApi(async (req) => {
      const offset = Number(req.query.get('cursor') ?? '0');
      if (req.path === '/slow' && ++slowAsked >= 3) slowHasPages();
      if (req.path === '/fast' && offset === 400) await slowReady;
      const all = req.path === '/fast' ? rows.slice(0, 500) : rows;
      const data = all.slice(offset, offset + 100);
      const more = offset + 100 < all.length;
      return { body: { data, next_cursor: more ? String(offset + 100) : null, has_more: more } };
    });
    const page = {
      type: 'cursor',
      param: 'cursor',
      cursorPath: 'next_cursor',
      hasMorePath: 'has_more',
    } as const;
    const two = createHandler(
      defineSource({
        name: 'two-streams',
        baseUrl: 'https://two.example.invalid',
        streams: {
          fast: { path: '/fast', records: 'data', primaryKey: 'id', paginator: page },
          slow: { path: '/slow', records: 'data', primaryKey: 'id', paginator: page },
        },
        runtime: { safetyMarginMs: 60_000, partSizeBytes: 16 * 1024, streamConcurrency: 2 },
      }),
    );
    process.env.API_BASE_URL = twoApi.url;
    process.env.OUTPUT_FOLDER = folder;
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(
      ({ method, url }) => method === 'PUT' && url.includes('/fast/') && url.includes('/_manifest.json'),
    );
    const loc = (stream: string) => ({ outputFolder: folder, stream, importDate: '20261123', runId });
    try {
      // Act
      const failure = await two({ runId }, budgetContext(Infinity)).catch((e) => e);

      // Assess: `slow` landed parts in the failed invocation, and none is left; nor any of `fast`
      expect(failure).toMatchObject({ name: 'SinkError' });
      const slowPuts = proxy.requests.filter(
        (r) => r.method === 'PUT' && r.url.includes('/slow/') && r.url.includes('/part-') && !r.cut,
      );
      expect(slowPuts.length).toBeGreaterThanOrEqual(1);
      expect(await listKeys(bucket, runPrefix(loc('slow')))).toEqual([]);
      expect(await listKeys(bucket, runPrefix(loc('fast')))).toEqual([]);
    } finally {
      process.env.API_BASE_URL = api.url;
      process.env.OUTPUT_FOLDER = outputFolder;
      await twoApi.close();
    }
  });
});
