/**
 * ➕ An incremental child with state per parent (`parent.state: 'perParent'`) against a loopback API
 * whose child endpoint honours `since` (records updated after it): each parent's walk reads from
 * that parent's own watermark, a parent seen for the first time from `initialSince`; a run cut by
 * the deadline moves nothing until its manifest, and then each parent whose walk reached the API's
 * end (a parent whose walk a response rule cut keeps its watermark); beyond `maxParents` the
 * parents walked longest ago fall back to the floor, the least of their watermarks; a rerun reads
 * what the run read and lands the same records; and a child of an incremental parent walks only
 * the parents that changed.
 */
import { createHandler, defineSource, type HandlerResult } from '@tributary/core';
import { createBucket, type FixtureApi, listKeys, readLanded, startFixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';

const bucket = 'landing-parent-state-test';
const INITIAL = '2026-01-01T00:00:00.000Z';
const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();

interface Commit {
  id: string;
  updated_at: string;
}
interface Repo {
  id: string;
  updated_at: string;
  commits: Commit[];
  /** Listed, but its commits answer 404 (deleted meanwhile). */
  gone?: boolean;
}
let repos: Repo[];
let api: FixtureApi;

const commit = (repo: string, n: number, updated: string): Commit => ({
  id: `${repo}-${n}`,
  updated_at: updated,
});

function source(options: { maxParents?: number; parentIncremental?: boolean; name?: string } = {}) {
  return defineSource({
    name: options.name ?? 'code',
    baseUrl: 'https://code.example.invalid',
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxTotalWaitMs: 1_000 },
    // Beyond maxParents, which parents are kept follows the walk order: one walk at a time, fixed.
    ...(options.maxParents && { rateLimit: { concurrency: 1 } }),
    responseRules: [{ status: 404, action: 'ignore' }],
    streams: {
      repos: {
        path: '/repos',
        records: 'data',
        primaryKey: 'id',
        ...(options.parentIncremental && {
          incremental: { cursorField: 'updated_at', params: { since: '{since}' } },
        }),
      },
      commits: {
        path: '/repos/{parent.id}/commits',
        records: 'data',
        primaryKey: 'id',
        paginator: { type: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: 2 },
        incremental: { cursorField: 'updated_at', params: { since: '{since}' }, initialSince: INITIAL },
        parent: {
          stream: 'repos',
          carry: { repo_id: 'id' },
          state: 'perParent',
          ...(options.maxParents && { maxParents: options.maxParents }),
        },
      },
    },
    runtime: { safetyMarginMs: 60_000, partSizeBytes: 1024 * 1024, streamConcurrency: 2 },
  });
}

beforeAll(async () => {
  await createBucket(bucket);
  api = await startFixtureApi((req) => {
    const since = req.query.get('since');
    const after = (r: { updated_at: string }) =>
      since === null || Date.parse(r.updated_at) > Date.parse(since);
    const child = /^\/repos\/([^/]+)\/commits$/.exec(req.path);
    if (child) {
      const repo = repos.find((r) => r.id === child[1]);
      if (!repo || repo.gone) return { status: 404, body: { message: 'Not Found' } };
      const offset = Number(req.query.get('offset') ?? 0);
      const list = repo.commits.filter(after).sort((a, b) => a.id.localeCompare(b.id));
      return { body: { data: list.slice(offset, offset + Number(req.query.get('limit'))) } };
    }
    if (req.path === '/repos') {
      return { body: { data: repos.filter(after).map(({ id, updated_at }) => ({ id, updated_at })) } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  });
});
afterAll(() => api.close());

/** `[repo, since]` of each first child request (offset 0) since `from`. */
const asked = (from: number) =>
  api.requests
    .slice(from)
    .filter((r) => r.path.endsWith('/commits') && (r.query.get('offset') ?? '0') === '0')
    .map((r) => {
      const since = r.query.get('since');
      return [r.path.split('/')[2], since === null ? null : new Date(since).toISOString()];
    });

const entries = (state: unknown) => (state as { parents: { entries: [string, string][] } }).parents.entries;
const parentsOf = (state: unknown) =>
  (state as { parents: { entries: [string, string][]; floor: string | null } }).parents;
const key = (id: string) => JSON.stringify([id]);

async function runToEnd(handler: ReturnType<typeof createHandler>, runId: string): Promise<HandlerResult[]> {
  const results: HandlerResult[] = [];
  let continuation: unknown = null;
  for (let i = 0; i < 100 && results.at(-1)?.status !== 'complete'; i++) {
    const result = await handler({ runId, continuation }, budgetContext(Infinity));
    results.push(result);
    continuation = JSON.parse(JSON.stringify(result.continuation));
  }
  return results;
}

describe('a child with state per parent', () => {
  const outputFolder = 'code/per-parent';
  const handler = createHandler(source());
  let run2Requests: unknown[];

  beforeAll(() => {
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
    repos = ['a', 'b', 'c'].map((id, i) => ({
      id,
      updated_at: at(1),
      commits: [commit(id, 1, at(2 + i)), commit(id, 2, at(3 + i)), commit(id, 3, at(4 + i))],
    }));
  });

  it('reads each parent from initialSince on the first run, and keeps each one its own watermark', async () => {
    // Act
    const from = api.requests.length;
    const result = await handler({ runId: '2026-11-20T06-00-00Z-pp1' }, budgetContext(Infinity));

    // Assess
    expect(result.status).toBe('complete');
    expect(asked(from)).toEqual([
      ['a', INITIAL],
      ['b', INITIAL],
      ['c', INITIAL],
    ]);
    const landed = await readLanded(bucket, outputFolder, 'commits', '2026-11-20T06-00-00Z-pp1');
    expect(landed.records).toHaveLength(9);
    expect(entries(landed.state)).toEqual([
      [key('a'), at(4)],
      [key('b'), at(5)],
      [key('c'), at(6)],
    ]);
    expect(landed.state).toMatchObject({ watermark: at(6) });
  });

  it('asks each parent on the next run from its own watermark, and a new parent from initialSince', async () => {
    // Prepare: a new commit in b, a new repository d with an old commit
    repos[1]!.commits.push(commit('b', 4, at(10)));
    repos.push({ id: 'd', updated_at: at(1), commits: [commit('d', 1, at(1))] });
    const from = api.requests.length;

    // Act
    const result = await handler({ runId: '2026-11-21T06-00-00Z-pp2' }, budgetContext(Infinity));

    // Assess
    expect(result.status).toBe('complete');
    run2Requests = asked(from);
    expect(run2Requests).toEqual([
      ['a', at(4)],
      ['b', at(5)],
      ['c', at(6)],
      ['d', INITIAL],
    ]);
    const landed = await readLanded(bucket, outputFolder, 'commits', '2026-11-21T06-00-00Z-pp2');
    expect(landed.records.map((r) => r.id).sort()).toEqual(['b-4', 'd-1']);
    expect(entries(landed.state)).toEqual([
      [key('a'), at(4)],
      [key('b'), at(10)],
      [key('c'), at(6)],
      [key('d'), at(1)],
    ]);
  });

  it('a rerun of that run reads what it read and lands the same records, the state unchanged', async () => {
    // Prepare
    const before = await readLanded(bucket, outputFolder, 'commits', '2026-11-21T06-00-00Z-pp2');
    const from = api.requests.length;

    // Act
    const result = await handler({ runId: '2026-11-21T06-00-00Z-pp2' }, budgetContext(Infinity));

    // Assess
    expect(result.status).toBe('complete');
    expect(asked(from)).toEqual(run2Requests);
    const after = await readLanded(bucket, outputFolder, 'commits', '2026-11-21T06-00-00Z-pp2');
    expect(after.records.map((r) => r.id).sort()).toEqual(['b-4', 'd-1']);
    expect(after.manifest).toMatchObject({ records: 2 });
    expect(parentsOf(after.state)).toEqual(parentsOf(before.state));
  });

  it('a run cut by the deadline moves no parent until its manifest, then each committed one', async () => {
    // Prepare: new commits in a (two pages) and c, and b's commits gone (its walk is cut by an
    // `ignore` rule: its watermark must stay)
    repos[0]!.commits.push(commit('a', 4, at(11)), commit('a', 5, at(12)), commit('a', 6, at(13)));
    repos[2]!.commits.push(commit('c', 4, at(11)));
    repos[1]!.gone = true;
    const runId = '2026-11-22T06-00-00Z-pp3';
    const stateBefore = (await readLanded(bucket, outputFolder, 'commits', runId)).state;
    const from = api.requests.length;

    // Act: the first invocation stops inside the child
    const first = await handler({ runId }, budgetContext(3));
    const continuation = JSON.parse(JSON.stringify(first.continuation));

    // Assess: nothing moved yet, the walks so far are in the checkpoint the continuation names
    expect(first.status).toBe('partial');
    expect(first.streams.find((s) => s.stream === 'commits')).toMatchObject({ status: 'partial' });
    expect((await readLanded(bucket, outputFolder, 'commits', runId)).state).toEqual(stateBefore);
    const checkpoint = continuation.streams.commits.parents.checkpoint as string;
    expect(await listKeys(bucket, `_state/${outputFolder}/commits.parents/${runId}/`)).toEqual([
      `_state/${outputFolder}/commits.parents/${runId}/${checkpoint}.json`,
    ]);

    // Act: resume to the end
    const rest: HandlerResult[] = [];
    let next: unknown = continuation;
    for (let i = 0; i < 50 && rest.at(-1)?.status !== 'complete'; i++) {
      const result = await handler({ runId, continuation: next }, budgetContext(3));
      rest.push(result);
      next = JSON.parse(JSON.stringify(result.continuation));
    }

    // Assess: each parent asked from its own watermark only (again, from the same, when its walk
    // was in flight at a stop: the walks run at once); each committed walk moved its parent, b's
    // cut walk did not (it keeps its place, first: walked longest ago); the checkpoints are gone
    expect(rest.at(-1)!.status).toBe('complete');
    expect(
      [...new Map(asked(from).map(([id, since]) => [`${id} ${since}`, [id, since]])).values()].toSorted(),
    ).toEqual([
      ['a', at(4)],
      ['b', at(10)],
      ['c', at(6)],
      ['d', at(1)],
    ]);
    const landed = await readLanded(bucket, outputFolder, 'commits', runId);
    expect(landed.records.map((r) => r.id).sort()).toEqual(['a-4', 'a-5', 'a-6', 'c-4']);
    const [kept, ...moved] = entries(landed.state);
    expect(kept).toEqual([key('b'), at(10)]);
    expect(moved.toSorted()).toEqual([
      [key('a'), at(13)],
      [key('c'), at(11)],
      [key('d'), at(1)],
    ]);
    expect(await listKeys(bucket, `_state/${outputFolder}/commits.parents/`)).toEqual([]);
    expect(landed.state).toMatchObject({ watermark: at(10) }); // b's cut walk holds the stream's own
  });
});

describe('a child with state per parent beyond maxParents', () => {
  const outputFolder = 'code/per-parent-cap';

  beforeAll(() => {
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
    // b's newest commit is older than a's: the floor is the least of the dropped watermarks.
    repos = [
      { id: 'a', updated_at: at(1), commits: [commit('a', 1, at(5))] },
      { id: 'b', updated_at: at(1), commits: [commit('b', 1, at(3))] },
      { id: 'c', updated_at: at(1), commits: [commit('c', 1, at(7))] },
    ];
  });

  it('keeps the parents walked last; the others read from the floor, so none skips a record', async () => {
    const handler = createHandler(source({ maxParents: 1 }));
    const first = await runToEnd(handler, '2026-11-20T06-00-00Z-cap1');
    expect(first.at(-1)!.status).toBe('complete');
    const state = (await readLanded(bucket, outputFolder, 'commits', '2026-11-20T06-00-00Z-cap1')).state;
    expect(parentsOf(state)).toMatchObject({ entries: [[key('c'), at(7)]], floor: at(3) });

    // Prepare: a commit in a later than its own watermark; one in b between the floor and a's watermark
    repos[0]!.commits.push(commit('a', 2, at(9)));
    repos[1]!.commits.push(commit('b', 2, at(4)));
    const from = api.requests.length;

    // Act
    const second = await runToEnd(handler, '2026-11-21T06-00-00Z-cap2');

    // Assess: a and b from the floor (≤ their own watermarks), c from its own
    expect(second.at(-1)!.status).toBe('complete');
    expect(asked(from)).toEqual([
      ['a', at(3)],
      ['b', at(3)],
      ['c', at(7)],
    ]);
    const landed = await readLanded(bucket, outputFolder, 'commits', '2026-11-21T06-00-00Z-cap2');
    expect(landed.records.map((r) => r.id).sort()).toEqual(['a-1', 'a-2', 'b-2']);
    expect(parentsOf(landed.state)).toMatchObject({ entries: [[key('c'), at(7)]], floor: at(3) });
  });
});

describe('a child of an incremental parent', () => {
  const outputFolder = 'code/dependency';

  beforeAll(() => {
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
    repos = ['a', 'b', 'c'].map((id) => ({ id, updated_at: at(1), commits: [commit(id, 1, at(2))] }));
  });

  it('walks only the parents that changed since the last run', async () => {
    const handler = createHandler(source({ parentIncremental: true }));
    await runToEnd(handler, '2026-11-20T06-00-00Z-dep1');

    // Prepare: b changes (a new commit, and the repository's updated_at with it)
    repos[1]!.commits.push(commit('b', 2, at(6)));
    repos[1]!.updated_at = at(6);
    const from = api.requests.length;

    // Act
    const results = await runToEnd(handler, '2026-11-21T06-00-00Z-dep2');

    // Assess
    expect(results.at(-1)!.status).toBe('complete');
    expect(asked(from)).toEqual([['b', at(2)]]);
    const landed = await readLanded(bucket, outputFolder, 'commits', '2026-11-21T06-00-00Z-dep2');
    expect(landed.records.map((r) => r.id)).toEqual(['b-2']);
  });
});

describe('the definition of a child with state per parent', () => {
  it('needs incremental', () => {
    expect(() =>
      defineSource({
        name: 'code',
        baseUrl: 'https://code.example.invalid',
        streams: {
          repos: { path: '/repos' },
          commits: { path: '/repos/{parent.id}/commits', parent: { stream: 'repos', state: 'perParent' } },
        },
      }),
    ).toThrow(
      'streams.commits.parent.state: "perParent" keeps a watermark per parent key, so the stream needs "incremental"',
    );
  });
});
