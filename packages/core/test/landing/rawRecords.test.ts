/**
 * Records land as the API sent them: a stream without a `transform` copies each record's bytes from
 * the body into its NDJSON line (big integers, number spelling and escapes kept), whatever the
 * body's layout, and still finds the watermark; a stream with a `transform` lands what it returns.
 * A real loopback API, the handler, moto's S3.
 */
import { gunzipSync } from 'node:zlib';
import { createHandler, defineSource } from '@tributary/core';
import {
  createBucket,
  getObject,
  type LoopbackApi,
  listKeys,
  readLanded,
  startApi,
} from '@tributary/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setHandlerEnv } from './support/context.ts';

const bucket = 'landing-raw-records-test';
const outputFolder = 'ops/raw-records';

// Page 1 is compact, with what a parse and a stringify would change; page 2 is pretty-printed with
// CRLF line ends; page 3 puts the records array before the cursor and spaces around the commas.
const PAGE_1 =
  '{"data":[{"id":12345678901234567890,"amount":1.50,"name":"caf\\u00e9","updated_at":"2026-11-20T10:00:00Z"},' +
  '{"id":2,"updated_at":"2026-11-22T10:00:00Z","tags":["a","b"]}],"has_more":true,"next_cursor":"p2"}';
const PAGE_2 = JSON.stringify(
  {
    has_more: true,
    next_cursor: 'p3',
    data: [
      { id: 3, updated_at: '2026-11-21T10:00:00Z', nested: { list: [1, 2, { deep: null }] } },
      { id: 4, note: 'two\nlines', updated_at: '2026-11-23T09:00:00Z' },
    ],
  },
  null,
  2,
).replaceAll('\n', '\r\n');
const PAGE_3 =
  '{ "data" : [ {"id":5,"updated_at":"2026-11-19T10:00:00Z"} , {"id":6} ] , "has_more" : false }';
const PAGES: Record<string, string> = { '': PAGE_1, p2: PAGE_2, p3: PAGE_3 };

const stream = (extra: object) => ({
  path: '/items',
  records: 'data',
  primaryKey: 'id',
  paginator: { type: 'cursor' as const, param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
  incremental: { cursorField: 'updated_at' },
  ...extra,
});
const source = defineSource({
  name: 'raw-records',
  baseUrl: 'https://raw.example.invalid',
  streams: {
    as_sent: stream({}),
    transformed: stream({ transform: (r: Record<string, unknown>) => ({ ...r, seen: true }) }),
  },
});
let api: LoopbackApi;

async function landedText(streamName: string, runId: string): Promise<string> {
  const keys = (await listKeys(bucket, `${outputFolder}/${streamName}/`)).filter(
    (k) => k.includes(`/run_id=${runId}/`) && k.endsWith('.ndjson.gz'),
  );
  expect(keys).toHaveLength(1);
  return gunzipSync(await getObject(bucket, keys[0]!)).toString('utf8');
}

beforeAll(async () => {
  await createBucket(bucket);
  api = await startApi({ '/items': (req) => ({ body: PAGES[req.query.get('cursor') ?? '']! }) });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

it('a stream without a transform lands each record as the bytes the API sent, one per line', async () => {
  // Act
  const runId = '2026-11-24T06-00-00Z-raw';
  const result = await createHandler(source)({ runId, streams: ['as_sent'] }, {
    getRemainingTimeInMillis: () => 15 * 60_000,
  } as never);

  // Assess: the first page's records byte for byte; every line one whole record
  expect(result.status).toBe('complete');
  const lines = (await landedText('as_sent', runId)).split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.slice(0, 2)).toEqual([
    '{"id":12345678901234567890,"amount":1.50,"name":"caf\\u00e9","updated_at":"2026-11-20T10:00:00Z"}',
    '{"id":2,"updated_at":"2026-11-22T10:00:00Z","tags":["a","b"]}',
  ]);
  const expected = [
    ...(JSON.parse(PAGE_1).data as unknown[]),
    ...(JSON.parse(PAGE_2).data as unknown[]),
    ...(JSON.parse(PAGE_3).data as unknown[]),
  ];
  expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual(expected);
  // The manifest counts them, and the watermark is the greatest cursor, found on the pretty page.
  const landed = await readLanded(bucket, outputFolder, 'as_sent', runId);
  expect(landed.manifest).toMatchObject({ records: 6 });
  expect(landed.state).toMatchObject({ watermark: '2026-11-23T09:00:00.000Z', runId });
});

it('a stream with a transform lands what the transform returns, serialized', async () => {
  // Act
  const runId = '2026-11-24T06-00-00Z-transformed';
  const result = await createHandler(source)({ runId, streams: ['transformed'] }, {
    getRemainingTimeInMillis: () => 15 * 60_000,
  } as never);

  // Assess: records went through JSON.parse, the transform and JSON.stringify (the big id rounded)
  expect(result.status).toBe('complete');
  const lines = (await landedText('transformed', runId)).split('\n').slice(0, -1);
  expect(lines[0]).toBe(
    '{"id":12345678901234567000,"amount":1.5,"name":"café","updated_at":"2026-11-20T10:00:00Z","seen":true}',
  );
  expect(lines).toHaveLength(6);
  const landed = await readLanded(bucket, outputFolder, 'transformed', runId);
  expect(landed.state).toMatchObject({ watermark: '2026-11-23T09:00:00.000Z' });
});
