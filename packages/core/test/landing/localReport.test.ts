/**
 * Under `sls invoke local` (IS_LOCAL=true) the handler ends by writing its invocation's ingestion
 * report to stderr: a real run against the loopback orders API, the text it wrote read back. On
 * Lambda (no IS_LOCAL), or with TRIBUTARY_INGESTION_REPORT=off, it writes nothing.
 */
import { createHandler } from '@tributary/core';
import { createBucket, type FixtureApi } from '@tributary/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-local-report-test';
const orders = makeOrders(1_200, Date.parse('2026-11-20T11:00:00Z'));
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(orders, { pageSize: 500 });
  setHandlerEnv({ bucket, outputFolder: 'sales/local-report', apiBaseUrl: api.url });
});
afterAll(async () => {
  await api.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.IS_LOCAL;
  delete process.env.TRIBUTARY_INGESTION_REPORT;
});

/** Runs the handler once, returning what it wrote to stderr. */
async function invoke(runId: string): Promise<string> {
  let written = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  });
  // From the stream's initialSince: a first backfill that may set the first watermark
  await createHandler(ordersSource({ initialSince: '2026-11-20T11:00:00Z' }))({
    runId,
    streams: ['orders'],
    window: { since: '2026-11-20T11:00:00Z', until: '2026-11-20T11:10:00Z' },
  });
  vi.restoreAllMocks();
  return written;
}

describe('the ingestion report of sls invoke local', () => {
  it('is written to stderr per stream: records, pages, requests, retries, duration, watermark before and after', async () => {
    // Prepare
    process.env.IS_LOCAL = 'true';

    // Act
    const text = await invoke('2026-11-23-local-report');

    // Assess: 11:00:00 up to 11:10:00 (half-open) is 600 orders; the API sent the 1,200 in 3 pages
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(
      'ingestion report of orders-api (run 2026-11-23-local-report, complete): 600 records landed so far',
    );
    expect(lines[1]).toMatch(
      /^stream +status +records +pages +bytes +filtered out +requests +retries +warnings +duration +since \(watermark before\) +watermark after$/,
    );
    expect(lines[3]).toMatch(
      /^orders +complete +600 +3 +[\d,]+ +600 +3 +0 +0 +\d+\.\d s +2026-11-20T11:00:00\.000Z +2026-11-20T11:09:59\.000Z$/,
    );
  });

  it('is not written on Lambda, nor when turned off', async () => {
    const onLambda = await invoke('2026-11-23-local-report-lambda');
    process.env.IS_LOCAL = 'true';
    process.env.TRIBUTARY_INGESTION_REPORT = 'off';
    const off = await invoke('2026-11-23-local-report-off');

    expect(onLambda).not.toContain('ingestion report');
    expect(off).not.toContain('ingestion report');
  });
});
