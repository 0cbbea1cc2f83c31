/**
 * ➕ State per parent on a first run in which one parent's walk is cut short (its commits answer
 * 404, ignored): the stream gets no watermark (a walk did not reach the API's end), but the parents
 * whose walks did are kept (`watermark: null` beside `parents`), so the next run reads each of them
 * from its own watermark and only the cut parent from `initialSince`; that run's complete walks
 * then give the stream its watermark. A rerun of the first run reads what it read.
 */
import { createHandler, defineSource } from '@tributary/core';
import { createBucket, type FixtureApi, readLanded, startFixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';

const bucket = 'landing-parent-state-first-cut-test';
const outputFolder = 'code/per-parent-first-cut';
const INITIAL = '2026-01-01T00:00:00.000Z';
const at = (day: number) => new Date(Date.UTC(2026, 10, day)).toISOString();
const key = (id: string) => JSON.stringify([id]);

const commits: Record<string, { id: string; updated_at: string }[]> = {
  a: [{ id: 'a-1', updated_at: at(3) }],
  b: [{ id: 'b-1', updated_at: at(4) }],
  c: [{ id: 'c-1', updated_at: at(5) }],
};
const gone = new Set(['b']);
let api: FixtureApi;

const handler = createHandler(
  defineSource({
    name: 'code',
    baseUrl: 'https://code.example.invalid',
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxTotalWaitMs: 1_000 },
    responseRules: [{ status: 404, action: 'ignore' }],
    streams: {
      repos: { path: '/repos', records: 'data', primaryKey: 'id' },
      commits: {
        path: '/repos/{parent.id}/commits',
        records: 'data',
        primaryKey: 'id',
        incremental: { cursorField: 'updated_at', params: { since: '{since}' }, initialSince: INITIAL },
        parent: { stream: 'repos', carry: { repo_id: 'id' }, state: 'perParent' },
      },
    },
  }),
);

beforeAll(async () => {
  await createBucket(bucket);
  api = await startFixtureApi((req) => {
    if (req.path === '/repos') return { body: { data: Object.keys(commits).map((id) => ({ id })) } };
    const repo = /^\/repos\/([^/]+)\/commits$/.exec(req.path)?.[1];
    if (!repo || gone.has(repo)) return { status: 404, body: { message: 'Not Found' } };
    const since = Date.parse(req.query.get('since')!);
    return { body: { data: commits[repo]!.filter((c) => Date.parse(c.updated_at) > since) } };
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

/** `[repo, since]` of each child request since `from`. */
const asked = (from: number) =>
  api.requests
    .slice(from)
    .filter((r) => r.path.endsWith('/commits'))
    .map((r) => [r.path.split('/')[2], new Date(r.query.get('since')!).toISOString()]);

it("keeps the committed parents' watermarks when the first run's cut walk leaves the stream none", async () => {
  // Act: the first run; b's walk is cut short by the ignored 404
  const first = await handler({ runId: '2026-11-20T06-00-00Z-fc1' }, budgetContext(Infinity));

  // Assess: no stream watermark, but a and c keep theirs
  expect(first.status).toBe('complete');
  expect(first.streams.find((s) => s.stream === 'commits')).toMatchObject({ watermark: null });
  const state = (await readLanded(bucket, outputFolder, 'commits', '2026-11-20T06-00-00Z-fc1')).state;
  expect(state).toMatchObject({
    watermark: null,
    runId: '2026-11-20T06-00-00Z-fc1',
    parents: {
      entries: [
        [key('a'), at(3)],
        [key('c'), at(5)],
      ],
      floor: null,
    },
  });

  // Act: a rerun of the first run reads what it read (every parent from initialSince), state unchanged
  const before = api.requests.length;
  const rerun = await handler({ runId: '2026-11-20T06-00-00Z-fc1' }, budgetContext(Infinity));
  expect(rerun.status).toBe('complete');
  expect(asked(before)).toEqual([
    ['a', INITIAL],
    ['b', INITIAL],
    ['c', INITIAL],
  ]);
  const afterRerun = (await readLanded(bucket, outputFolder, 'commits', '2026-11-20T06-00-00Z-fc1')).state;
  expect(afterRerun).toMatchObject({ watermark: null, parents: (state as { parents: object }).parents });

  // Prepare: b is back, a has a new commit
  gone.delete('b');
  commits.a!.push({ id: 'a-2', updated_at: at(8) });
  const from = api.requests.length;

  // Act: the next run
  const second = await handler({ runId: '2026-11-21T06-00-00Z-fc2' }, budgetContext(Infinity));

  // Assess: a and c from their own watermarks, b (cut before) from initialSince; the stream's
  // watermark set now that every walk reached the API's end
  expect(second.status).toBe('complete');
  expect(asked(from)).toEqual([
    ['a', at(3)],
    ['b', INITIAL],
    ['c', at(5)],
  ]);
  const landed = await readLanded(bucket, outputFolder, 'commits', '2026-11-21T06-00-00Z-fc2');
  expect(landed.records.map((r) => r.id).sort()).toEqual(['a-2', 'b-1']);
  expect(landed.state).toMatchObject({ watermark: at(8) });
  expect((landed.state as { parents: { entries: unknown } }).parents.entries).toEqual([
    [key('a'), at(8)],
    [key('b'), at(4)],
    [key('c'), at(5)],
  ]);
});
