/**
 * The deadline while waiting: an API that stops answering in the middle of a stream does not keep
 * the handler past its deadline. At `remaining − SAFETY_MARGIN_MS` it gives up the page in flight,
 * keeps what landed, and returns `partial`; the next invocation resumes at that page.
 */
import { createHandler, defineSource } from '@tributary/core';
import {
  createBucket,
  type FixtureApi,
  lambdaContext,
  readLanded,
  startFixtureApi,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHandlerEnv } from './support/context.ts';

const bucket = 'landing-deadline-test';
const source = defineSource({
  name: 'slow-api',
  baseUrl: 'https://slow.example.invalid',
  streams: {
    items: {
      path: '/items',
      records: 'data',
      paginator: { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
    },
  },
});
const items = Array.from({ length: 50 }, (_, i) => ({ id: i }));
let api: FixtureApi;
let hang = true;
const hung: Array<() => void> = [];

beforeAll(async () => {
  await createBucket(bucket);
  api = await startFixtureApi(async (req) => {
    const offset = Number(req.query.get('cursor') ?? '0');
    if (offset === 20 && hang) await new Promise<void>((r) => hung.push(r)); // answers only when released
    const data = items.slice(offset, offset + 10);
    const more = offset + 10 < items.length;
    return { body: { data, next_cursor: more ? String(offset + 10) : null, has_more: more } };
  });
  setHandlerEnv({ bucket, outputFolder: 'misc/slow-api', apiBaseUrl: api.url });
  process.env.SAFETY_MARGIN_MS = '1000';
});
afterAll(async () => {
  for (const release of hung) release();
  delete process.env.SAFETY_MARGIN_MS;
  await api.close();
});

describe('a page that never comes', () => {
  it('returns partial at the deadline with what landed, and the next invocation resumes at that page', async () => {
    // Act: 3 s left, 1 s margin: the handler must give up page 3 after about 2 s
    const handler = createHandler(source);
    const runId = '2026-11-23T06-00-00Z-slow';
    const first = await handler({ runId }, lambdaContext(3_000));

    // Assess
    expect(first.status).toBe('partial');
    expect(first.streams[0]).toMatchObject({ records: 20, pages: 2, status: 'partial' });

    // Act: the API answers again
    hang = false;
    for (const release of hung.splice(0)) release();
    const second = await handler({ runId, continuation: first.continuation }, lambdaContext());

    // Assess
    expect(second.status).toBe('complete');
    expect(second.streams[0]).toMatchObject({ records: 50, pages: 5, status: 'complete' });
    expect((await readLanded(bucket, 'misc/slow-api', 'items', runId)).records).toEqual(items);
  });
});
