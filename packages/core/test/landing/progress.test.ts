/**
 * A stream's progress while it runs: a human line at INFO (records, pages, rate) at most every
 * `PROGRESS_INTERVAL_MS`, so a local run shows more than retry warnings between "run started" and
 * "stream complete". 0 gives one per page (deterministic here); a long interval gives none for a
 * short stream.
 */
import { createHandler } from '@tributary/core';
import { captureOutput, createBucket, type FixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-progress-test';
const handler = createHandler(ordersSource());
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(makeOrders(500), { pageSize: 100 });
  setHandlerEnv({ bucket, outputFolder: 'sales/orders-api', apiBaseUrl: api.url });
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});
afterAll(async () => {
  delete process.env.PROGRESS_INTERVAL_MS;
  delete process.env.POWERTOOLS_LOG_LEVEL;
  await api.close();
});

/** The handler's INFO-and-above JSON log lines while it runs. */
async function run(runId: string): Promise<Array<Record<string, unknown>>> {
  const output = captureOutput();
  try {
    const result = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity));
    expect(result.status).toBe('complete');
  } finally {
    output.restore();
  }
  return output
    .text()
    .split('\n')
    .filter((l) => l.startsWith('{"level"'))
    .map((l) => JSON.parse(l));
}

describe('progress lines', () => {
  it('with PROGRESS_INTERVAL_MS=0: one INFO line per page, records, pages and rate in words and fields', async () => {
    // Act
    process.env.PROGRESS_INTERVAL_MS = '0';
    const lines = await run('2026-11-23T06-00-00Z-progress');

    // Assess
    const progress = lines.filter((l) => l.progress === true);
    expect(progress.map((l) => [l.level, l.stream, l.records, l.pages])).toEqual([
      ['INFO', 'orders', 100, 1],
      ['INFO', 'orders', 200, 2],
      ['INFO', 'orders', 300, 3],
      ['INFO', 'orders', 400, 4],
      ['INFO', 'orders', 500, 5],
    ]);
    expect(progress.at(-1)!.message).toMatch(
      /^orders: 500 records, 5 pages in \d+\.\d s \([\d,]+ records\/s\)$/,
    );
    expect(progress.at(-1)).toMatchObject({ source: 'orders-api', runId: '2026-11-23T06-00-00Z-progress' });
    expect(progress.every((l) => typeof l.recordsPerSecond === 'number' && l.recordsPerSecond > 0)).toBe(
      true,
    );
    // between "run started" and "stream complete"
    const messages = lines.map((l) => l.message);
    expect(messages.indexOf('run started')).toBeLessThan(messages.indexOf(progress[0]!.message));
    expect(messages.indexOf('stream complete')).toBeGreaterThan(messages.indexOf(progress.at(-1)!.message));
  });

  it('at most one per interval: an hour-long interval gives none for a short stream', async () => {
    process.env.PROGRESS_INTERVAL_MS = '3600000';
    const lines = await run('2026-11-23T07-00-00Z-progress');
    expect(lines.filter((l) => l.progress === true)).toEqual([]);
    expect(lines.map((l) => l.message)).toContain('stream complete');
  });
});
