/**
 * Partitions, parent/child streams and incremental windows against a loopback API. One walk at a
 * time (`rateLimit.concurrency: 1`): these are the mechanics of each walk, in a fixed order; the
 * walks of a stream at once are walksAtOnce.test.ts's.
 */
import { startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { TemplateError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { ApiRecord } from '../../src/http/readTypes.ts';
import { FAST_RETRY, readAll, WINDOW } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const quiet = { debug() {}, info() {}, warn() {} };

async function setup(
  streams: SourceInput['streams'],
  routes: Parameters<typeof startApi>[0],
  extra: Partial<SourceInput> = {},
) {
  const api = await startApi(routes);
  closers.push(api.close);
  const source = defineSource({
    name: 'streams-test',
    baseUrl: 'https://api.example.com/v3',
    retry: FAST_RETRY,
    rateLimit: { concurrency: 1 },
    streams,
    ...extra,
  });
  return { api, read: createReader(source, { baseUrl: `${api.url}/v3`, logger: quiet }) };
}

async function* from<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('partitions', () => {
  test('a stream rule `empty`: that partition is a walk of 0 records ended by the API, the others go on', async () => {
    const { api, read } = await setup(
      {
        commits: {
          path: '/repos/{repo}/commits',
          partitions: [{ repo: 'full' }, { repo: 'hollow' }, { repo: 'other' }],
          responseRules: [{ status: 409, bodyContains: 'Git Repository is empty', action: 'empty' }],
        },
        issues: { path: '/repos/{repo}/issues', partitions: [{ repo: 'hollow' }] },
      },
      (req) => {
        const repo = req.path.split('/')[3];
        if (repo === 'hollow') return { status: 409, body: { message: 'Git Repository is empty.' } };
        return { body: [{ sha: `${repo}-1` }] };
      },
    );
    const pages = await readAll(read, 'commits');
    expect(pages.map((p) => p.records)).toEqual([[{ sha: 'full-1' }], [], [{ sha: 'other-1' }]]);
    expect(pages.map((p) => p.end)).toEqual(['api', 'api', 'api']);
    expect(api.requests).toHaveLength(3);
    // The rule is the commits stream's own: another stream's 409 still fails
    await expect(readAll(read, 'issues')).rejects.toMatchObject({ name: 'HttpError', status: 409 });
  });

  test("partitionFields: each record gets its partition's values, for records that do not say where they came from", async () => {
    const { read } = await setup(
      {
        stats: {
          path: '/repos/{owner}/{repo}/stats',
          partitions: [
            { owner: 'octo', repo: 'one' },
            { owner: 'octo', repo: 'two' },
          ],
          partitionFields: { repository: '{owner}/{repo}' },
        },
      },
      () => ({ body: [{ author: { id: 1 } }, { author: { id: 2 } }] }),
    );
    const pages = await readAll(read, 'stats');
    expect(pages.flatMap((p) => p.records)).toEqual([
      { author: { id: 1 }, repository: 'octo/one' },
      { author: { id: 2 }, repository: 'octo/one' },
      { author: { id: 1 }, repository: 'octo/two' },
      { author: { id: 2 }, repository: 'octo/two' },
    ]);
  });

  test('one walk per partition, its values in path and params; positions count partitions', async () => {
    const { api, read } = await setup(
      {
        issues: {
          path: '/repos/{owner}/{repo}/issues',
          params: { label: '{owner}' },
          paginator: { type: 'page', size: 2, sizeParam: 'n' },
          partitions: [
            { owner: 'octo', repo: 'one' },
            { owner: 'octo', repo: 'two words' },
          ],
        },
      },
      (req) => {
        const p = Number(req.query.get('page'));
        const repo = req.path.split('/')[4];
        const all = repo === 'one' ? [1, 2, 3] : [4];
        return { body: all.slice((p - 1) * 2, p * 2).map((id) => ({ id, repo })) };
      },
    );
    const pages = await readAll(read, 'issues');
    expect(pages.flatMap((p) => p.records)).toEqual([
      { id: 1, repo: 'one' },
      { id: 2, repo: 'one' },
      { id: 3, repo: 'one' },
      { id: 4, repo: 'two words' },
    ]);
    expect(api.requests.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/v3/repos/octo/one/issues?label=octo&page=1&n=2',
      '/v3/repos/octo/one/issues?label=octo&page=2&n=2',
      '/v3/repos/octo/two words/issues?label=octo&page=1&n=2',
    ]);
    expect(pages.map((p) => p.next)).toEqual([
      { w: 0, s: { page: 2 }, n: 1 },
      { w: 1, s: { page: 1 }, n: 0 },
      null,
    ]);
    // Resume at the second partition: the first is not read again.
    const before = api.requests.length;
    const rest = await readAll(read, 'issues', { from: pages[1]!.next });
    expect(rest.flatMap((p) => p.records.map((r) => r.id))).toEqual([4]);
    expect(api.requests.length - before).toBe(1);
  });
});

describe('parent and child streams', () => {
  const parents: ApiRecord[] = [
    {
      number: 7,
      id: 700,
      title: 'a',
      comments_url: 'https://api.example.com/v3/repos/o/r/issues/7/comments',
    },
    {
      number: 8,
      id: 800,
      title: 'b',
      comments_url: 'https://api.example.com/v3/repos/o/r/issues/8/comments',
    },
    {
      number: 9,
      id: 900,
      title: 'c',
      comments_url: 'https://api.example.com/v3/repos/o/r/issues/9/comments',
    },
  ];
  const comments: Record<string, number[]> = { '7': [1, 2, 3], '8': [], '9': [4] };
  const routes = (req: { path: string; query: URLSearchParams }) => {
    const number = req.path.split('/')[6]!;
    const p = Number(req.query.get('page') ?? '1');
    return { body: (comments[number] ?? []).slice((p - 1) * 2, p * 2).map((id) => ({ id })) };
  };
  const child = (path: string): SourceInput['streams'] => ({
    issues: { path: '/repos/o/r/issues' },
    comments: {
      path,
      paginator: { type: 'page', size: 2, sizeParam: 'per_page' },
      parent: { stream: 'issues', carry: { issue_number: 'number', issue_id: 'id' } },
    },
  });

  test('one walk per parent record: fields substituted, parent key carried into each child record', async () => {
    const { api, read } = await setup(child('/repos/o/r/issues/{parent.number}/comments'), routes);
    const pages = await readAll(read, 'comments', { parents: () => from(parents) });
    expect(pages.flatMap((p) => p.records)).toEqual([
      { id: 1, issue_number: 7, issue_id: 700 },
      { id: 2, issue_number: 7, issue_id: 700 },
      { id: 3, issue_number: 7, issue_id: 700 },
      { id: 4, issue_number: 9, issue_id: 900 },
    ]);
    expect(api.requests.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/v3/repos/o/r/issues/7/comments?page=1&per_page=2',
      '/v3/repos/o/r/issues/7/comments?page=2&per_page=2',
      '/v3/repos/o/r/issues/8/comments?page=1&per_page=2',
      '/v3/repos/o/r/issues/9/comments?page=1&per_page=2',
    ]);
    // Each page's position; the last says done.
    expect(pages.map((p) => p.next)).toEqual([
      { w: 0, s: { page: 2 }, n: 1 },
      { w: 1, s: { page: 1 }, n: 0 },
      { w: 2, s: { page: 1 }, n: 0 },
      null,
    ]);
  });

  test('resume skips the parents already done', async () => {
    const { api, read } = await setup(child('/repos/o/r/issues/{parent.number}/comments'), routes);
    const pages = await readAll(read, 'comments', { parents: () => from(parents) });
    const before = api.requests.length;
    const rest = await readAll(read, 'comments', { parents: () => from(parents), from: pages[1]!.next });
    expect(rest.flatMap((p) => p.records.map((r) => r.id))).toEqual([4]);
    expect(api.requests.slice(before).map((r) => r.path)).toEqual([
      '/v3/repos/o/r/issues/8/comments',
      '/v3/repos/o/r/issues/9/comments',
    ]);
  });

  test('a URL from the parent record ({+parent.comments_url}) lands on the base URL in use', async () => {
    const { api, read } = await setup(child('{+parent.comments_url}'), routes);
    const pages = await readAll(read, 'comments', { parents: () => from(parents) });
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual([1, 2, 3, 4]);
    expect(api.requests[0]!.path).toBe('/v3/repos/o/r/issues/7/comments');
  });

  test('a parent record without the field is a TemplateError naming it', async () => {
    const { read } = await setup(child('/repos/o/r/issues/{parent.number}/comments'), routes);
    const error = await readAll(read, 'comments', { parents: () => from([{ id: 1 }]) }).catch((e) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toBe(
      'path: {parent.number} has no value (the parent record has no such field) [source streams-test, stream comments]',
    );
  });

  test('one walk per distinct parent key: parents sharing the values the child uses are walked once, the first one carried', async () => {
    // Prepare: 6 parents naming 3 issues (7, 9, 7, 8, 9, 7), each parent record different otherwise
    const dup = [7, 9, 7, 8, 9, 7].map((number, i) => ({
      ...parents.find((p) => p.number === number)!,
      id: i,
    }));
    const { api, read } = await setup(child('/repos/o/r/issues/{parent.number}/comments'), routes);

    // Act
    const pages = await readAll(read, 'comments', { parents: () => from(dup) });

    // Assess: 7 (two pages), 9, 8 in first-seen order; each child carries the first parent's id
    expect(api.requests.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/v3/repos/o/r/issues/7/comments?page=1&per_page=2',
      '/v3/repos/o/r/issues/7/comments?page=2&per_page=2',
      '/v3/repos/o/r/issues/9/comments?page=1&per_page=2',
      '/v3/repos/o/r/issues/8/comments?page=1&per_page=2',
    ]);
    expect(pages.flatMap((p) => p.records)).toEqual([
      { id: 1, issue_number: 7, issue_id: 0 },
      { id: 2, issue_number: 7, issue_id: 0 },
      { id: 3, issue_number: 7, issue_id: 0 },
      { id: 4, issue_number: 9, issue_id: 1 },
    ]);
    // Positions count distinct keys, not parent records
    expect(pages.map((p) => p.next)).toEqual([
      { w: 0, s: { page: 2 }, n: 1 },
      { w: 1, s: { page: 1 }, n: 0 },
      { w: 2, s: { page: 1 }, n: 0 },
      null,
    ]);

    // Act: resume after the second walk (issue 9)
    const before = api.requests.length;
    const rest = await readAll(read, 'comments', { parents: () => from(dup), from: pages[2]!.next });

    // Assess: only issue 8 is left; 7 and 9 are not asked again
    expect(api.requests.slice(before).map((r) => r.path)).toEqual(['/v3/repos/o/r/issues/8/comments']);
    expect(rest.flatMap((p) => p.records)).toEqual([]);
  });

  test('the parent key is every parent value the child uses: path, params and headers', async () => {
    // Prepare: the same number, different `title` (a param) for two of them
    const three = [
      { number: 7, id: 1, title: 'a' },
      { number: 7, id: 2, title: 'b' },
      { number: 7, id: 3, title: 'a' },
    ];
    const streams = child('/repos/o/r/issues/{parent.number}/comments');
    streams.comments!.params = { title: '{parent.title}' };
    const { api, read } = await setup(streams, routes);

    // Act
    await readAll(read, 'comments', { parents: () => from(three) });

    // Assess
    expect(api.requests.map((r) => r.query.get('title'))).toEqual(['a', 'a', 'b', 'b']);
    expect(api.requests.map((r) => r.query.get('page'))).toEqual(['1', '2', '1', '2']);
  });

  test('no parents, no pages', async () => {
    const { api, read } = await setup(child('/repos/o/r/issues/{parent.number}/comments'), routes);
    expect(await readAll(read, 'comments', { parents: () => from([]) })).toEqual([]);
    expect(api.requests).toHaveLength(0);
  });
});

describe('incremental', () => {
  const records = [
    { id: 1, updated_at: '2026-11-02T10:00:00Z', created: 1_793_000_000 },
    { id: 2, updated_at: '2026-11-05T08:30:00+01:00', created: 1_793_500_000 },
    { id: 3, updated_at: null, created: 1_792_000_000 },
  ];

  test('the window goes out through the param templates; maxCursor is the greatest cursor as ISO', async () => {
    const { api, read } = await setup(
      {
        items: {
          path: '/items',
          incremental: { cursorField: 'updated_at', params: { since: '{since}', before: '{until:unix}' } },
        },
      },
      { '/v3/items': () => ({ body: records }) },
    );
    const since = new Date('2026-11-01T00:00:00Z');
    const pages = await readAll(read, 'items', { window: { since, until: WINDOW.until } });
    expect(Object.fromEntries(api.requests[0]!.query)).toEqual({
      since: '2026-11-01T00:00:00Z',
      before: String(WINDOW.until.getTime() / 1000),
    });
    expect(pages[0]!.maxCursor).toBe('2026-11-05T07:30:00.000Z');
  });

  test('unix cursors; without since the param is left out (full read), unless initialSince', async () => {
    const { api, read } = await setup(
      {
        items: {
          path: '/items',
          incremental: {
            cursorField: 'created',
            cursorType: 'unix',
            params: { 'created[gte]': '{since:unix}' },
          },
        },
        seeded: {
          path: '/items',
          incremental: {
            cursorField: 'created',
            cursorType: 'unix',
            params: { 'created[gte]': '{since:unix}' },
            initialSince: '2026-01-01T00:00:00Z',
          },
        },
      },
      { '/v3/items': () => ({ body: records }) },
    );
    const pages = await readAll(read, 'items');
    expect(api.requests[0]!.query.has('created[gte]')).toBe(false);
    expect(pages[0]!.maxCursor).toBe(new Date(1_793_500_000 * 1000).toISOString());
    await readAll(read, 'seeded');
    expect(api.requests[1]!.query.get('created[gte]')).toBe(String(Date.UTC(2026, 0, 1) / 1000));
  });

  test('a window bound the requests do not carry is applied to the cursor field and counted (scanned, parsed)', async () => {
    // A body with an integer beyond 2^53: the scanned path keeps the API's bytes for the kept records
    const body = `{"data":[
      {"id":1,"n":12345678901234567890,"updated_at":"2026-10-31T23:59:59Z"},
      {"id":2,"n":2,"updated_at":"2026-11-01T00:00:00Z"},
      {"id":3,"n":3,"updated_at":"2026-11-23T00:00:00Z"},
      {"id":4,"n":4,"updated_at":"2026-11-23T00:00:01Z"},
      {"id":5,"n":5,"updated_at":null}]}`;
    const sinceOnly = { cursorField: 'updated_at', params: { since: '{since}' } };
    const { read } = await setup(
      {
        scanned: { path: '/items', records: 'data', incremental: sinceOnly },
        parsed: { path: '/items', records: 'data', incremental: sinceOnly, transform: (r) => r },
        unbounded: { path: '/items', records: 'data', incremental: { cursorField: 'updated_at' } },
        bounded: {
          path: '/items',
          records: 'data',
          incremental: { cursorField: 'updated_at', params: { since: '{since}', until: '{until}' } },
        },
        inside: { path: '/inside', records: 'data', incremental: sinceOnly },
      },
      {
        '/v3/items': () => ({ body }),
        '/v3/inside': () => ({
          body: '{"data":[{"id":9,"n":12345678901234567890,"updated_at":"2026-11-02T00:00:00Z"}]}',
        }),
      },
    );
    const window = { since: new Date('2026-11-01T00:00:00Z'), until: WINDOW.until };
    const ids = (p: { records: ApiRecord[] }) => p.records.map((r) => r.id);

    // Only `{since}` goes out: the API bounds since (its records before it are its business), the
    // client until — half-open: id 3, exactly on until, belongs to the next window
    const [scanned] = await readAll(read, 'scanned', { window });
    expect(ids(scanned!)).toEqual([1, 2, 5]);
    expect(scanned!.filteredOut).toBe(2);
    expect(scanned!.maxCursor).toBe('2026-11-01T00:00:00.000Z');
    expect(scanned!.lines?.ndjson.toString()).toContain('"n":12345678901234567890');
    const [parsed] = await readAll(read, 'parsed', { window });
    expect(ids(parsed!)).toEqual([1, 2, 5]);
    expect(parsed!.filteredOut).toBe(2);
    expect(parsed!.maxCursor).toBe('2026-11-01T00:00:00.000Z');

    // Neither goes out: both bounds on the client, [since, until): id 2 on since is kept, id 3 on until is not
    const [unbounded] = await readAll(read, 'unbounded', { window });
    expect(ids(unbounded!)).toEqual([2, 5]);
    expect(unbounded!.filteredOut).toBe(3);

    // Both go out: the API bounds the window, nothing is filtered
    const [bounded] = await readAll(read, 'bounded', { window });
    expect(ids(bounded!)).toEqual([1, 2, 3, 4, 5]);
    expect(bounded!.filteredOut).toBeUndefined();

    // Nothing outside: the scanned page is landed as scanned, the API's bytes untouched
    const [inside] = await readAll(read, 'inside', { window });
    expect(inside!.filteredOut).toBeUndefined();
    expect(inside!.lines?.ndjson.toString()).toBe(
      '{"id":9,"n":12345678901234567890,"updated_at":"2026-11-02T00:00:00Z"}\n',
    );
  });

  test('a transform reshapes or drops records', async () => {
    const { read } = await setup(
      { items: { path: '/items', transform: (r) => (r.id === 3 ? undefined : { ...r, flagged: true }) } },
      { '/v3/items': () => ({ body: records }) },
    );
    const pages = await readAll(read, 'items');
    expect(pages[0]!.records.map((r) => [r.id, r.flagged])).toEqual([
      [1, true],
      [2, true],
    ]);
  });
});
