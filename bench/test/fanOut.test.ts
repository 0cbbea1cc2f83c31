/**
 * The floor's fan-out case (bench/ingest/runFanOut.ts): a backfill split into slices, one process
 * per slice running the bundled handler with its slice's event, one rate budget shared through the
 * coordination store (DynamoDB on moto), against the limited API. Correctness only, at a small size:
 * every record lands exactly once across the processes, each slice its own manifest, every page asked
 * for once. Nothing here is timed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_TIME } from '../api/records.ts';
import { type LimitedApi, startLimitedApi } from '../api/startApi.ts';
import { fanOutSlices } from '../contenders/floorCase.ts';
import { type BenchBucket, createBenchBucket } from '../ingest/benchBucket.ts';
import { type CountingProxy, startCountingProxy } from '../ingest/countingProxy.ts';
import { achievedRate, fanOutRequests, runFanOut } from '../ingest/runFanOut.ts';
import { buildChildEntries, type EntryName } from '../lib/childEntries.ts';

const RECORDS = 1_030; // 4 slices of 257–258 records: three pages of 100 each, the last one short
const PAGE = 100;
const motoEndpoint = process.env.AWS_ENDPOINT_URL!;

let api: LimitedApi;
let bucket: BenchBucket;
let scripts: Record<EntryName, string>;
let proxy: CountingProxy;
const s3 = new S3Client({
  endpoint: motoEndpoint,
  region: 'eu-west-2',
  forcePathStyle: true,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

beforeAll(async () => {
  scripts = await buildChildEntries(['limitedApi', 'tributarySlice']);
  api = await startLimitedApi(scripts.limitedApi, {
    records: RECORDS,
    pageSize: PAGE,
    latencyMs: 5,
    jitterMs: 2,
    seed: 1,
    limit: 40,
    windowMs: 1000,
    shards: 4,
  });
  bucket = await createBenchBucket(motoEndpoint, `fan-out-${Date.now().toString(36)}`);
  proxy = await startCountingProxy(motoEndpoint);
});

afterAll(async () => {
  await api?.stop();
  await proxy?.stop();
  await bucket?.empty();
  await bucket?.remove();
  s3.destroy();
});

describe('the fan-out slices', () => {
  it('cover every record once: consecutive, half-open, balanced', () => {
    const slices = fanOutSlices(RECORDS, 4, BASE_TIME);
    expect(slices[0]!.since).toBe(new Date(BASE_TIME).toISOString());
    expect(slices.at(-1)!.until).toBe(new Date(BASE_TIME + RECORDS * 1000).toISOString());
    for (let k = 1; k < slices.length; k++) expect(slices[k]!.since).toBe(slices[k - 1]!.until);
    const sizes = slices.map((s) => (Date.parse(s.until) - Date.parse(s.since)) / 1000);
    expect(sizes).toEqual([257, 258, 257, 258]);
    expect(fanOutRequests(RECORDS, 4, PAGE)).toBe(12);
  });

  it('rate the server saw: one interval per arrival after the first, none without a span', () => {
    expect(achievedRate({ requests: 11, firstAt: 1_000, lastArrivalAt: 2_000 })).toBe(10);
    expect(achievedRate({ requests: 1, firstAt: 1_000, lastArrivalAt: 1_000 })).toBeNaN();
  });
});

describe('the fan-out case', () => {
  it('lands every record exactly once across 4 slice processes sharing one budget, one manifest per slice', {
    timeout: 180_000,
  }, async () => {
    const run = await runFanOut(
      { records: RECORDS, pageSize: PAGE, processes: 4, limit: 40, windowMs: 1000, latencyMs: 5 },
      {
        script: scripts.tributarySlice,
        awsEndpoint: proxy.endpoint,
        motoEndpoint,
        bucket: bucket.name,
        s3,
        api,
        prefix: 'fan-out-test',
        runId: `2026-12-01-fanout-${Date.now().toString(36)}`,
        logDir: mkdtempSync(join(tmpdir(), 'fan-out-')),
        takeAwsCalls: proxy.take,
      },
      [],
    );
    expect(run.error).toBeUndefined();
    expect(run.ok).toBe(true);
    // read back from S3: every record, none twice (ids come only from records the server served)
    expect(run.landed).toMatchObject({ records: RECORDS, distinctKeys: RECORDS });
    expect(run.manifests).toBe(4);
    expect(run.perProcess.map((p) => p.records)).toEqual([257, 258, 257, 258]);
    expect(run.perProcess.map((p) => p.manifests)).toEqual([1, 1, 1, 1]);
    // every page asked for once and answered (no 429 was retried into a second copy)
    expect(run.server.served).toBe(run.requests);
    // the budget went through the coordination store (DynamoDB), not each process's own limiter
    expect(run.awsCalls?.['dynamodb.write'] ?? 0).toBeGreaterThanOrEqual(run.requests);
  });
});
