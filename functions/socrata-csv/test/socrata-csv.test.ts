/**
 * The real socrata-csv definition through the real handler, against the CSV export double on
 * loopback and S3 / Secrets Manager on the moto server: files of 50,000 rows decoded as CSV, gzip on
 * the wire, the incremental `$where`, and a file with a broken row failing the run, named.
 */
import type { Handler } from '@tributary/core';
import {
  type ApiReply,
  type ApiRoute,
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
import { makePermit, type PermitRow, type SocrataCsvFaults, socrataCsvRoute } from '../double/index.ts';

const APP_TOKEN = 'socrataCsvFixtureAppTokenSECRET';
const BUCKET = 'tributary-test-source-socrata-csv';
const SECRET = 'api-credentials/socrata-csv-source-test';
const FOLDER = 'socrata-csv';
const T0 = Date.parse('2026-11-01T00:00:00Z');
const BIG = 'ipu4-2q9a';
const SMALL = 'abcd-1234';

const permits = Array.from({ length: 52_000 }, (_, i) => makePermit(BIG, i));
const small = Array.from({ length: 30 }, (_, i) => makePermit(SMALL, i));
const datasets = new Map<string, Record<string, unknown>[]>([
  [BIG, permits],
  [SMALL, small],
]);
const faults: SocrataCsvFaults = { badRowOn: new Map() };
/** What the double answered, in order (the loopback API records only requests). */
const replies: ApiReply[] = [];

let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  const route = socrataCsvRoute({ datasets, appToken: APP_TOKEN, faults, strict: true });
  const recording: ApiRoute = async (req, res, raw) => {
    const reply = await route(req, res, raw);
    if (reply) replies.push(reply);
    return reply;
  };
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { app_token: APP_TOKEN }],
    folder: FOLDER,
    route: recording,
    env: () => ({
      SOCRATA_CSV_DOMAIN: 'data.cityofnewyork.us',
      SOCRATA_CSV_DATASETS: `permits=${BIG},${SMALL}`,
    }),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler, output } = run);
});

afterAll(() => run?.close());

/** A row as the CSV file carries it: every value a string, a null an empty field. */
const asLanded = (row: PermitRow) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v ?? '']));

describe('socrata-csv source', () => {
  it('lands each dataset from its CSV export: files of 50,000 rows, gzip, values as the file has them', async () => {
    // Act
    const result = await handler({ runId: 'csv-run-1' }, lambdaContext());

    // Assess: every row once, as strings (empty for null), quotes and line breaks kept
    expect(result.status).toBe('complete');
    expect(result.streams.map((s) => s.stream).sort()).toEqual(['dataset_abcd_1234', 'permits']);
    const landed = await readLanded(BUCKET, FOLDER, 'permits', 'csv-run-1');
    expect(landed.records).toHaveLength(52_000);
    expect(landed.records.slice(0, 12)).toEqual(permits.slice(0, 12).map(asLanded));
    expect(landed.records[3]?.work_description).toBe('Replace boiler, "like for like"\nno change of use');
    expect(new Set(landed.records.map((r) => r[':id'])).size).toBe(52_000);
    expect(landed.manifest).toMatchObject({
      records: 52_000,
      primaryKey: [':id'],
      cursorField: ':updated_at',
    });
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 51_999 * 1000);
    expect((await readLanded(BUCKET, FOLDER, 'dataset_abcd_1234', 'csv-run-1')).records).toEqual(
      small.map(asLanded),
    );

    // Assess: the requests — the export endpoint, system fields, stable order, files of $limit, gzip asked and given
    const sent = api.requestsTo(`/resource/${BIG}.csv`);
    expect(sent.map((r) => r.query.get('$offset'))).toEqual(['0', '50000']);
    for (const r of api.requests) {
      expect(r.query.get('$select')).toBe(':*, *');
      expect(r.query.get('$order')).toBe(':id');
      expect(r.query.get('$limit')).toBe('50000');
      expect(r.query.has('$where')).toBe(false); // first run: everything
      expect(r.headers['x-app-token']).toBe(APP_TOKEN);
      expect(r.headers['accept-encoding']).toMatch(/gzip/);
    }
    expect(
      replies.every((r) => r.gzip === true && r.headers?.['content-type'] === 'text/csv; charset=utf-8'),
    ).toBe(true);
    expect(output.text()).not.toContain(APP_TOKEN);
    expect(await keysContaining(BUCKET, APP_TOKEN)).toEqual([]);
  });

  it('asks a second run for rows updated after the watermark, as a SoQL floating timestamp', async () => {
    // Prepare: two rows edited, one added
    permits[5] = makePermit(BIG, 5, T0 + 86_400_000);
    permits[9] = makePermit(BIG, 9, T0 + 86_400_500);
    permits.push(makePermit(BIG, 60_000, T0 + 86_401_000));
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'csv-run-2', streams: ['permits'] }, lambdaContext());

    // Assess
    const sent = api.requests.slice(before);
    expect(sent).toHaveLength(1);
    const literal = /^:updated_at > '([^']+)'$/.exec(sent[0]!.query.get('$where') ?? '')?.[1];
    expect(literal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/); // no zone: floating
    expect(Date.parse(`${literal}Z`)).toBe(T0 + 51_999 * 1000);
    const landed = await readLanded(BUCKET, FOLDER, 'permits', 'csv-run-2');
    expect(landed.records).toEqual(
      [permits[5], permits[9], permits.at(-1)!].map((r) => asLanded(r as PermitRow)),
    );
    expect(result.streams[0]!.records).toBe(3);
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 86_401_000);
  });

  for (const kind of ['extraField', 'unterminatedQuote'] as const) {
    it(`fails on a file with a broken row (${kind}), naming the stream and the line, landing nothing`, async () => {
      // Prepare
      faults.badRowOn!.set(SMALL, { id: small[7]![':id'] as string, kind });
      const before = await readLanded(BUCKET, FOLDER, 'dataset_abcd_1234', 'csv-run-1');

      // Act
      const attempt = handler(
        {
          runId: `csv-run-bad-${kind}`,
          streams: ['dataset_abcd_1234'],
          window: { since: '2026-10-01T00:00:00Z' }, // a backfill: the whole file again
        },
        lambdaContext(),
      );

      // Assess: a typed error that says where and what to check; nothing committed, the watermark kept
      const error: Error = await rejectionOf(attempt);
      expect(error.name).toBe('MalformedResponseError');
      expect(error.message).toMatch(/dataset_abcd_1234/);
      // row 7 is on line 10: the header, rows 0-6, and row 3's description holds a line break
      expect(error.message).toMatch(
        kind === 'extraField'
          ? /line 10 of the file has a different number of fields/
          : /does not parse as CSV/,
      );
      expect(error.message).toContain(`/resource/${SMALL}.csv`);
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(APP_TOKEN);
      const landed = await readLanded(BUCKET, FOLDER, 'dataset_abcd_1234', `csv-run-bad-${kind}`);
      expect(landed.manifest).toBeUndefined();
      expect(landed.state).toEqual(before.state);
      faults.badRowOn!.delete(SMALL);
    });
  }
});
