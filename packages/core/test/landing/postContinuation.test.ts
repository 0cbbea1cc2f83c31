/**
 * A POST search paged by `after` in its JSON body, stopped by its deadline several times: chaining
 * the continuations lands every record once, each invocation resumes the POST walk at the `after`
 * the last landed page led to, the body rendered again from the definition (the window in it), and
 * the continuation carries the cursor, never the body.
 */
import { createHandler, defineSource, type HandlerResult } from '@tributary/core';
import { createBucket, type FixtureApi, readLanded, startFixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';

const bucket = 'landing-post-continuation-test';
const outputFolder = 'crm/search-api';
const contacts = Array.from({ length: 50 }, (_, i) => ({
  id: String(i + 1),
  updatedAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
}));
const SINCE = '2026-11-01T00:00:00.000Z';
const UNTIL = '2026-11-02T00:00:00.000Z';

const handler = createHandler(
  defineSource({
    name: 'search-api',
    baseUrl: 'https://search.example.invalid',
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
    streams: {
      contacts: {
        path: '/contacts/search',
        request: {
          type: 'json',
          method: 'POST',
          retrySafe: true,
          body: { filters: [{ gte: '{since:unixMs}', lt: '{until:unixMs}' }], limit: 5 },
        },
        records: 'results',
        primaryKey: 'id',
        paginator: { type: 'cursor', in: 'body', param: 'after', cursorPath: 'paging.next.after' },
        incremental: { cursorField: 'updatedAt' },
      },
    },
  }),
);
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startFixtureApi((req) => {
    const body = JSON.parse(req.body) as { after?: string; limit: number };
    const start = Number(body.after ?? 0);
    const end = start + body.limit;
    const paging = end < contacts.length ? { paging: { next: { after: String(end) } } } : {};
    return { body: { total: contacts.length, results: contacts.slice(start, end), ...paging } };
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

it('resumes the POST walk at the next `after` in each invocation, the body rendered again', async () => {
  const runId = '2026-11-23T06-00-00Z-post';
  const results: HandlerResult[] = [];
  let continuation: unknown = null;
  /** The `after` of each invocation's first request. */
  const firstAfter: (string | undefined)[] = [];
  for (let i = 0; i < 50 && results.at(-1)?.status !== 'complete'; i++) {
    const before = api.requests.length;
    const event = { runId, streams: ['contacts'], window: { since: SINCE, until: UNTIL }, continuation };
    const result = await handler(event, budgetContext(3));
    results.push(result);
    firstAfter.push((JSON.parse(api.requests[before]!.body) as { after?: string }).after);
    // The continuation carries the cursor, not the rendered body.
    expect(JSON.stringify(result.continuation ?? null)).not.toContain('filters');
    continuation = JSON.parse(JSON.stringify(result.continuation));
  }
  expect(results.length).toBeGreaterThan(2);
  expect(results.at(-1)!.streams[0]).toMatchObject({ records: 50, pages: 10, status: 'complete' });
  // Each invocation starts at the `after` of the first record not landed yet.
  expect(firstAfter).toEqual([undefined, ...results.slice(0, -1).map((r) => String(r.streams[0]!.records))]);
  expect((await readLanded(bucket, outputFolder, 'contacts', runId)).records).toEqual(contacts);

  const sent = api.requests.map((r) => JSON.parse(r.body) as { after?: string; filters: unknown });
  // Every page was asked for, in order within each invocation, none skipped.
  const afters = sent.map((b) => b.after ?? '0');
  expect([...new Set(afters)].sort((a, b) => Number(a) - Number(b))).toEqual(
    Array.from({ length: 10 }, (_, i) => String(i * 5)),
  );
  // Every request, resumed or not, is a POST with the window in its body.
  const window = [{ gte: String(Date.parse(SINCE)), lt: String(Date.parse(UNTIL)) }];
  expect(api.requests.every((r) => r.method === 'POST')).toBe(true);
  expect(sent.every((b) => JSON.stringify(b.filters) === JSON.stringify(window))).toBe(true);
});
