/**
 * A known-total stream (offset with `totalPath`, pages fetched concurrently ahead) stopped by its
 * deadline several times: chaining the continuations lands every served record exactly once, in
 * page order, and the pages fetched ahead of a stop are read again, not skipped.
 */
import { createHandler, defineSource, type HandlerResult } from '@tributary/core';
import { createBucket, type LoopbackApi, readLanded, startApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';

const bucket = 'landing-known-total-test';
const outputFolder = 'sales/known-total';
const TOTAL = 1_000;
const LIMIT = 50;
const items = Array.from({ length: TOTAL }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const handler = createHandler(
  defineSource({
    name: 'known-total',
    baseUrl: 'https://x.example',
    rateLimit: { concurrency: 4 },
    streams: {
      items: {
        path: '/items',
        records: 'rows',
        primaryKey: 'id',
        paginator: { type: 'offset', limit: LIMIT, totalPath: 'total' },
      },
    },
  }),
);
let api: LoopbackApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startApi({
    '/items': async (req) => {
      const offset = Number(req.query.get('offset'));
      await sleep(((TOTAL - offset) / LIMIT) % 4); // later pages often answer first
      return { body: { total: TOTAL, rows: items.slice(offset, offset + LIMIT) } };
    },
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

describe('a known-total stream stopped by its deadline', () => {
  it('lands every record exactly once, in order, across continuations', async () => {
    const runId = '2026-12-01T06-00-00Z-known';
    const results: HandlerResult[] = [];
    let continuation: unknown = null;
    for (let i = 0; i < 100 && results.at(-1)?.status !== 'complete'; i++) {
      const result = await handler({ runId, streams: ['items'], continuation }, budgetContext(4));
      results.push(result);
      continuation = JSON.parse(JSON.stringify(result.continuation));
    }

    expect(results.length).toBeGreaterThan(3);
    expect(results.at(-1)!.streams[0]).toMatchObject({
      records: TOTAL,
      pages: TOTAL / LIMIT,
      status: 'complete',
    });
    const landed = await readLanded(bucket, outputFolder, 'items', runId);
    expect(landed.records).toEqual(items);
    // Every page asked for; pages fetched ahead of a stop were asked for again, none skipped.
    const offsets = api.requestsTo('/items').map((r) => Number(r.query.get('offset')));
    expect([...new Set(offsets)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: TOTAL / LIMIT }, (_, k) => k * LIMIT),
    );
  });
});
