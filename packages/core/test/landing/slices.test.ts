/**
 * Backfill slices (issue 16 item 5) at the handler: the split of a window (calendar-exact, the last
 * slice clipped to until), the handler's `split` answer, a slice's own keys and manifest under the
 * run's id, and the watermark rule — a slice never moves the watermark, and a backfill whose window
 * is older than the watermark never lowers it.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHandler, defineSource } from '@tributary/core';
import {
  createBucket,
  type FixtureApi,
  getJson,
  lambdaContext,
  listKeys,
  readLanded,
  rejectionOf,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefinitionError } from '../../src/errors.ts';
import { MAX_SLICES, sliceIdOf, splitWindow } from '../../src/handler/slices.ts';
import { setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const putObject = (bucket: string, key: string, body: string) =>
  new S3Client({ forcePathStyle: true }).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

const where = { source: 'orders-api', field: 'split' };
const at = (iso: string) => new Date(iso);

describe('splitWindow', () => {
  it('splits a year into weeks from since, each boundary exact, the last slice clipped to until', () => {
    const slices = splitWindow(
      { since: at('2025-01-01T00:00:00Z'), until: at('2026-01-01T00:00:00Z') },
      'P7D',
      where,
    );

    expect(slices).toHaveLength(53); // 365 days = 52 weeks and 1 day
    expect(slices[0]).toEqual({ since: '2025-01-01T00:00:00.000Z', until: '2025-01-08T00:00:00.000Z' });
    expect(slices[9]).toEqual({ since: '2025-03-05T00:00:00.000Z', until: '2025-03-12T00:00:00.000Z' });
    expect(slices.at(-1)).toEqual({ since: '2025-12-31T00:00:00.000Z', until: '2026-01-01T00:00:00.000Z' });
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.since).toBe(slices[i - 1]!.until);
  });

  it('reads hours, days and weeks together, and instants with a zone offset', () => {
    const w = { since: at('2026-03-01T00:00:00+01:00'), until: at('2026-03-04T00:00:00+01:00') };

    expect(splitWindow(w, 'P1DT12H', where).map((s) => s.since)).toEqual([
      '2026-02-28T23:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
    ]);
    expect(splitWindow(w, 'PT6H', where)).toHaveLength(12);
    expect(splitWindow(w, 'P2W', where)).toEqual([
      { since: '2026-02-28T23:00:00.000Z', until: '2026-03-03T23:00:00.000Z' },
    ]);
    expect(splitWindow(w, 'PT90M', where)).toHaveLength(48);
  });

  it.each([
    ['P1M', 'has years or months, whose length varies; give weeks, days, hours or minutes, e.g. "P30D"'],
    ['P1Y', 'has years or months'],
    ['7D', 'is not an ISO-8601 duration of weeks, days, hours or minutes (e.g. "P7D", "PT6H", "P1DT12H")'],
    ['P', 'is not an ISO-8601 duration'],
    ['PT', 'is not an ISO-8601 duration'],
    ['P1.5D', 'is not an ISO-8601 duration'],
    ['P0D', 'is shorter than a minute'],
  ])('rejects %s, naming the field and what to give', (duration, message) => {
    const w = { since: at('2026-01-01T00:00:00Z'), until: at('2026-02-01T00:00:00Z') };
    expect(() => splitWindow(w, duration, where)).toThrow(
      `invalid handler event: split: "${duration}" ${message}`,
    );
  });

  it(`rejects a split into more than ${MAX_SLICES} slices`, () => {
    const w = { since: at('2025-01-01T00:00:00Z'), until: at('2026-01-01T00:00:00Z') };
    expect(() => splitWindow(w, 'P1D', where)).toThrow(
      `"P1D" splits 2025-01-01T00:00:00.000Z – 2026-01-01T00:00:00.000Z into 365 slices, more than ${MAX_SLICES}; give a longer slice`,
    );
  });

  it('names a slice by its bounds, whatever their zone', () => {
    expect(sliceIdOf({ since: '2025-01-01T01:00:00+01:00', until: at('2025-01-08T00:00:00Z') })).toBe(
      '20250101T000000Z-20250108T000000Z',
    );
    expect(sliceIdOf({ since: '2025-01-01T00:00:00.250Z', until: '2025-01-02T00:00:00Z' })).toBe(
      '20250101T000000250Z-20250102T000000Z',
    );
  });
});

describe('the definition and the split event', () => {
  it("rejects a definition's backfill.slice that is not a slice length", () => {
    const define = () =>
      defineSource({ ...ordersSource(), name: 'orders-api', backfill: { slice: 'P1M' } } as never);
    expect(define).toThrow(DefinitionError);
    expect(define).toThrow('backfill.slice');
  });

  it('answers split with the slices as handler events, touching nothing', async () => {
    const handler = createHandler(ordersSource());
    const window = { since: '2026-11-20T11:00:00Z', until: '2026-11-20T11:10:00Z' };

    const result = await handler({ runId: '2026-11-23-b', window, split: 'PT4M' });

    expect(result).toEqual({
      runId: '2026-11-23-b',
      source: 'orders-api',
      status: 'split',
      continuation: null,
      streams: [],
      slices: [
        { window: { since: '2026-11-20T11:00:00.000Z', until: '2026-11-20T11:04:00.000Z' }, slice: true },
        { window: { since: '2026-11-20T11:04:00.000Z', until: '2026-11-20T11:08:00.000Z' }, slice: true },
        { window: { since: '2026-11-20T11:08:00.000Z', until: '2026-11-20T11:10:00.000Z' }, slice: true },
      ],
    });
  });

  it("splits by the definition's backfill.slice on split: default, and says so when there is none", async () => {
    const window = { since: '2026-11-20T00:00:00Z', until: '2026-11-21T00:00:00Z' };
    const sliced = createHandler({ ...ordersSource(), backfill: { slice: 'PT6H' } });

    const result = await sliced({ runId: 'r', window, split: 'default' });
    const error = await rejectionOf(createHandler(ordersSource())({ runId: 'r', window, split: 'default' }));

    expect(result.slices).toHaveLength(4);
    expect(error.name).toBe('EventValidationError');
    expect(error.message).toContain('split: "default", but source orders-api declares no backfill.slice');
  });

  it.each([
    [{ runId: 'r', split: 'P7D' }, 'split: needs a window'],
    [{ runId: 'r', slice: true }, 'slice: needs a window'],
    [{ runId: 'r', slice: true, window: { since: '2026-11-01T00:00:00Z' } }, 'slice: needs window.until'],
    [{ runId: 'r', slice: 'yes', window: { since: '2026-11-01T00:00:00Z' } }, 'slice: must be true or false'],
  ])('rejects %j', async (event, message) => {
    const error = await rejectionOf(createHandler(ordersSource())(event));
    expect(error.name).toBe('EventValidationError');
    expect(error.message).toContain(message);
  });
});

describe('a slice run', () => {
  const bucket = 'landing-slices-test';
  const outputFolder = 'sales/slices';
  const stateKey = `_state/${outputFolder}/orders.json`;
  const runId = '2026-11-23-backfill';
  // One order a second from 11:00:00 to 11:09:59
  const orders = makeOrders(600, Date.parse('2026-11-20T11:00:00Z'));
  let api: FixtureApi;

  beforeAll(async () => {
    await createBucket(bucket);
    api = await startOrdersApi(orders, { pageSize: 50 });
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
  });
  afterAll(async () => {
    await api.close();
  });

  it('lands each slice under run_id=<runId>.slice-<bounds> with its own manifest, and never moves the watermark', async () => {
    // Prepare: a watermark from an incremental run at 11:05:30; the two slices of 11:00–11:10
    const stored = {
      watermark: '2026-11-20T11:05:30.000Z',
      runId: 'nightly',
      updatedAt: '2026-11-20T12:00:00Z',
    };
    await putObject(bucket, stateKey, JSON.stringify(stored));
    const handler = createHandler(ordersSource());
    const split = await handler({
      runId,
      window: { since: '2026-11-20T11:00:00Z', until: '2026-11-20T11:10:00Z' },
      split: 'PT5M',
    });

    // Act: the later slice first (slices finish in any order), each to completion
    const results = [];
    for (const item of [...split.slices!].reverse()) {
      results.push(await handler({ runId, streams: ['orders'], ...item }, lambdaContext()));
    }

    // Assess: two prefixes, two manifests naming the run and the slice
    const ids = ['20261120T110000Z-20261120T110500Z', '20261120T110500Z-20261120T111000Z'];
    const first = await readLanded(bucket, outputFolder, 'orders', `${runId}.slice-${ids[0]}`);
    const second = await readLanded(bucket, outputFolder, 'orders', `${runId}.slice-${ids[1]}`);
    expect(first.manifest).toMatchObject({
      runId,
      slice: ids[0],
      window: split.slices![0]!.window,
      records: 300, // [11:00, 11:05): 11:05:00 is the second slice's (half-open), not in both
    });
    expect(second.manifest).toMatchObject({
      runId,
      slice: ids[1],
      window: split.slices![1]!.window,
      records: 300,
    });
    expect(first.records.map((r) => r.id)).toEqual(orders.slice(0, 300).map((o) => o.id));
    expect(second.records.map((r) => r.id)).toEqual(orders.slice(300).map((o) => o.id));
    expect(results.map((r) => r.streams[0]!.manifest)).toEqual([
      `s3://${bucket}/${second.manifestKey}`,
      `s3://${bucket}/${first.manifestKey}`,
    ]);
    const manifests = (await listKeys(bucket, `${outputFolder}/orders/`)).filter((k) =>
      k.endsWith('_manifest.json'),
    );
    expect(manifests).toHaveLength(2);
    // The watermark is the stored one: the slice ending at 11:10 finished first, the one before it was unread then
    expect(await getJson(bucket, stateKey)).toEqual(stored);
    expect(results.map((r) => r.streams[0]!.watermark)).toEqual([stored.watermark, stored.watermark]);
  });

  it('a rerun of one slice (same runId and window) replaces that slice and nothing else', async () => {
    const handler = createHandler(ordersSource());
    const item = {
      window: { since: '2026-11-20T11:05:00.000Z', until: '2026-11-20T11:10:00.000Z' },
      slice: true,
    };
    const before = await listKeys(bucket, `${outputFolder}/orders/`);

    const rerun = await handler({ runId, streams: ['orders'], ...item }, lambdaContext());

    const after = await listKeys(bucket, `${outputFolder}/orders/`);
    const id = '20261120T110500Z-20261120T111000Z';
    expect(rerun.streams[0]!.manifest).toContain(`/run_id=${runId}.slice-${id}/_manifest.json`);
    expect(after.filter((k) => !k.includes(id))).toEqual(before.filter((k) => !k.includes(id)));
    expect((await readLanded(bucket, outputFolder, 'orders', `${runId}.slice-${id}`)).records).toHaveLength(
      300,
    );
  });

  it('a backfill without slices whose window is older than the watermark does not lower it', async () => {
    const stored = {
      watermark: '2026-11-20T11:09:00.000Z',
      runId: 'nightly-2',
      updatedAt: '2026-11-20T12:00:00Z',
    };
    await putObject(bucket, stateKey, JSON.stringify(stored));

    const result = await createHandler(ordersSource())(
      {
        runId: '2026-11-23-old',
        streams: ['orders'],
        window: { since: '2026-11-20T11:00:00Z', until: '2026-11-20T11:02:00Z' },
      },
      lambdaContext(),
    );

    expect(result.streams[0]).toMatchObject({ records: 120, watermark: stored.watermark }); // [11:00, 11:02)
    expect(await getJson(bucket, stateKey)).toEqual(stored);
  });
});
