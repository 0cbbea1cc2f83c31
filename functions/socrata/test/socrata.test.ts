/**
 * The real socrata definition through the real handler, against a SODA 2.1 double on loopback and
 * S3 / Secrets Manager on the moto server: two datasets, one named, one by id, with an app token.
 */
import type { Handler } from '@tributary/core';
import {
  type CapturedOutput,
  keysContaining,
  type LoopbackApi,
  lambdaContext,
  readLanded,
  rejectionOf,
  type SourceTest,
  startSourceTest,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRow, type SocrataFaults, socrataRoute } from '../double/index.ts';

const APP_TOKEN = 'socrataFixtureAppTokenSECRET';
const BUCKET = 'tributary-test-source-socrata';
const SECRET = 'api-credentials/socrata-source-test';
const FOLDER = 'open-data/nyc';
const T0 = Date.parse('2026-11-01T00:00:00Z');

const complaints = Array.from({ length: 21_000 }, (_, i) => makeRow('erm2-nwe9', i));
const permits = Array.from({ length: 40 }, (_, i) => makeRow('abcd-1234', i));
const datasets = new Map([
  ['erm2-nwe9', complaints],
  ['abcd-1234', permits],
]);
const faults: SocrataFaults = { throttleOn: new Map([['erm2-nwe9', 2]]), malformedOn: new Set() };

let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { app_token: APP_TOKEN }],
    folder: FOLDER,
    route: socrataRoute(datasets, APP_TOKEN, faults),
    env: () => ({
      SOCRATA_DOMAIN: 'data.cityofnewyork.us',
      SOCRATA_DATASETS: 'complaints=erm2-nwe9,abcd-1234',
    }),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler, output } = run);
});

afterAll(() => run?.close());

const COMPLAINTS = '/resource/erm2-nwe9.json';

describe('socrata source', () => {
  it('lands each configured dataset as its own stream, paging $offset in :id order through a 429', async () => {
    // Act
    const result = await handler({ runId: 'socrata-run-1' }, lambdaContext());

    // Assess: streams named from the configuration, every row with its system fields
    expect(result.status).toBe('complete');
    expect(result.streams.map((s) => s.stream).sort()).toEqual(['complaints', 'dataset_abcd_1234']);
    const landed = await readLanded(BUCKET, FOLDER, 'complaints', 'socrata-run-1');
    expect(landed.records).toHaveLength(21_000);
    expect(new Set(landed.records.map((r) => r[':id'])).size).toBe(21_000);
    expect(landed.records[0]).toHaveProperty(':updated_at');
    expect(landed.manifest).toMatchObject({
      records: 21_000,
      pages: 3,
      primaryKey: [':id'],
      cursorField: ':updated_at',
    });
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 20_999 * 1000);
    const small = await readLanded(BUCKET, FOLDER, 'dataset_abcd_1234', 'socrata-run-1');
    expect(small.records).toHaveLength(40);

    // Assess: the requests — system fields, a stable order, pages of $limit, the throttled page again
    const sent = api.requestsTo(COMPLAINTS);
    expect(sent.map((r) => r.query.get('$offset'))).toEqual(['0', '10000', '10000', '20000']);
    for (const r of api.requests) {
      expect(r.query.get('$select')).toBe(':*, *');
      expect(r.query.get('$order')).toBe(':id');
      expect(r.query.get('$limit')).toBe('10000');
      expect(r.query.has('$where')).toBe(false); // first run: everything
      expect(r.headers['x-app-token']).toBe(APP_TOKEN);
    }
    expect(output.text()).not.toContain(APP_TOKEN);
    expect(await keysContaining(BUCKET, APP_TOKEN)).toEqual([]); // nor S3
  });

  it('asks a second run for rows updated after the watermark, as a SoQL floating timestamp', async () => {
    // Prepare: two rows edited, one added
    complaints[3]![':updated_at'] = new Date(T0 + 86_400_000).toISOString();
    complaints[9]![':updated_at'] = new Date(T0 + 86_400_500).toISOString();
    complaints.push(makeRow('erm2-nwe9', 30_000, T0 + 86_401_000));
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'socrata-run-2', streams: ['complaints'] }, lambdaContext());

    // Assess
    const sent = api.requests.slice(before);
    expect(sent).toHaveLength(1);
    const where = sent[0]!.query.get('$where') ?? '';
    const literal = /^:updated_at > '([^']+)'$/.exec(where)?.[1];
    expect(literal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/); // no zone: floating
    expect(Date.parse(`${literal}Z`)).toBe(T0 + 20_999 * 1000);
    const landed = await readLanded(BUCKET, FOLDER, 'complaints', 'socrata-run-2');
    expect(landed.records).toHaveLength(3);
    expect(result.streams[0]!.records).toBe(3);
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 86_401_000);
  });

  it('asks again for a page answered 202 Request Processing: every row lands once, the run complete', async () => {
    // Prepare: a backfill of everything; the second page is still processing the first time
    faults.processingOn = new Map([['erm2-nwe9', { offset: 10_000, times: 1 }]]);
    const before = api.requests.length;

    // Act
    const result = await handler(
      { runId: 'socrata-run-202', streams: ['complaints'], window: { since: '2026-10-01T00:00:00Z' } },
      lambdaContext(),
    );

    // Assess: the 202 was asked again, nothing lost, nothing doubled
    expect(result.status).toBe('complete');
    const sent = api.requests.slice(before).map((r) => r.query.get('$offset'));
    expect(sent).toEqual(['0', '10000', '10000', '20000']);
    const landed = await readLanded(BUCKET, FOLDER, 'complaints', 'socrata-run-202');
    expect(landed.records).toHaveLength(complaints.length);
    expect(new Set(landed.records.map((r) => r[':id'])).size).toBe(complaints.length);
    expect(landed.manifest).toMatchObject({ records: complaints.length, pages: 3 });
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 86_401_000);
  });

  it("bounds a backfill's until on :updated_at itself ($where carries only since), counting what it left out", async () => {
    // Prepare: a backfill window ending in the middle of the dataset's history
    const until = T0 + 9_999 * 1000;
    const window = { since: '2026-10-01T00:00:00Z', until: new Date(until).toISOString() };

    // Act
    const result = await handler(
      { runId: 'socrata-run-window', streams: ['complaints'], window },
      lambdaContext(),
    );

    // Assess: only rows updated before `until` landed (half-open); the rest is counted, and the watermark did not go back
    const inside = complaints.filter((r) => Date.parse(r[':updated_at'] as string) < until);
    expect(inside.length).toBeGreaterThan(9_000);
    const landed = await readLanded(BUCKET, FOLDER, 'complaints', 'socrata-run-window');
    expect(landed.records.map((r) => r[':id']).sort()).toEqual(inside.map((r) => r[':id']).sort());
    expect(result.streams[0]).toMatchObject({
      records: inside.length,
      filteredOut: complaints.length - inside.length,
      status: 'complete',
    });
    expect(landed.manifest).toMatchObject({ records: inside.length });
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 86_401_000);
  });

  it('fails on a SoQL error, naming the status, landing nothing and keeping the watermark', async () => {
    // Prepare
    faults.malformedOn.add('abcd-1234');
    const before = await readLanded(BUCKET, FOLDER, 'dataset_abcd_1234', 'socrata-run-1');

    // Act
    const run = handler({ runId: 'socrata-run-3', streams: ['dataset_abcd_1234'] }, lambdaContext());

    // Assess
    const error: Error = await rejectionOf(run);
    expect(error.message).toMatch(/400/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(APP_TOKEN);
    const landed = await readLanded(BUCKET, FOLDER, 'dataset_abcd_1234', 'socrata-run-3');
    expect(landed.manifest).toBeUndefined();
    expect(landed.state).toEqual(before.state);
  });
});
