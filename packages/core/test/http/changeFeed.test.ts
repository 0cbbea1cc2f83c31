/**
 * `incremental.changes`: a stream that follows a change feed (Stripe's events) while its `since` is
 * within the feed's retention, and reads its own endpoint in full otherwise; list params repeated.
 */
import { startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { Page } from '../../src/http/readTypes.ts';
import { capture, FAST_RETRY } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

const cursorPages = {
  records: 'data',
  paginator: { type: 'cursor', param: 'starting_after', lastRecordPath: 'id', hasMorePath: 'has_more' },
} as const;

function stream(): SourceInput['streams'][string] {
  return {
    path: '/items',
    ...cursorPages,
    primaryKey: 'id',
    incremental: {
      cursorField: 'version_at',
      cursorType: 'unix',
      changes: {
        path: '/changes',
        ...cursorPages,
        params: { 'types[]': ['item.created', 'item.updated'], 'created[gte]': '{since:unix}', limit: 2 },
        record: 'data.object',
        changedAt: 'created',
        retentionSeconds: 30 * DAY,
      },
    },
  };
}

type Json = Record<string, unknown>;
function list(all: Json[], query: URLSearchParams, size: number) {
  const after = query.get('starting_after');
  const start = after ? all.findIndex((r) => r.id === after) + 1 : 0;
  return { body: { data: all.slice(start, start + size), has_more: start + size < all.length } };
}

async function setup() {
  const t = now();
  const items = [
    { id: 'i1', state: 'new' },
    { id: 'i2', state: 'new' },
  ];
  // Newest first, as the feed lists them; one change of another object kind, without `data.object`.
  const changes: Json[] = [
    { id: 'c3', created: t - 100, data: { object: { id: 'i1', state: 'done' } } },
    { id: 'c2', created: t - 200, data: {} },
    { id: 'c1', created: t - 300, data: { object: { id: 'i1', state: 'started' } } },
  ];
  const api = await startApi({
    '/items': (req) => list(items, req.query, 1),
    '/changes': (req) => list(changes, req.query, Number(req.query.get('limit'))),
  });
  closers.push(api.close);
  const log = capture();
  const source = defineSource({
    name: 'feed-test',
    baseUrl: 'https://api.example.com',
    retry: FAST_RETRY,
    streams: { items: stream() },
  });
  return { api, log, t, read: createReader(source, { baseUrl: api.url, logger: log.logger }) };
}

async function collect(pages: AsyncIterable<Page>, stopAfter = Infinity): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of pages) {
    out.push(page);
    if (out.length >= stopAfter) break;
  }
  return out;
}

describe('a stream with a change feed', () => {
  test('within the retention: reads the feed from since, each change as its record, stamped with the change time', async () => {
    const { api, read, t, log } = await setup();
    const window = { since: new Date((t - 3600) * 1000), until: new Date(t * 1000) };

    const pages = await collect(read('items', { window }));

    expect(api.requests.map((r) => r.path)).toEqual(['/changes', '/changes']);
    expect(api.requests[0]!.query.getAll('types[]')).toEqual(['item.created', 'item.updated']);
    expect(api.requests[0]!.query.get('created[gte]')).toBe(String(t - 3600));
    expect(pages.flatMap((p) => p.records)).toEqual([
      { id: 'i1', state: 'done', version_at: t - 100 },
      { id: 'i1', state: 'started', version_at: t - 300 },
    ]);
    expect(pages[0]!.maxCursor).toBe(new Date((t - 100) * 1000).toISOString());
    expect(log.text()).toContain('stream items: following changes from /changes since');
  });

  test('a continuation resumes on the feed, where the last page said', async () => {
    const { api, read, t } = await setup();
    const window = { since: new Date((t - 3600) * 1000), until: new Date(t * 1000) };
    const [first] = await collect(read('items', { window }), 1);
    expect(first!.next).toMatchObject({ feed: 'changes' });
    const before = api.requests.length;

    const rest = await collect(read('items', { window, from: first!.next }));

    expect(api.requests.slice(before).map((r) => [r.path, r.query.get('starting_after')])).toEqual([
      ['/changes', 'c2'],
    ]);
    expect(rest.flatMap((p) => p.records).map((r) => r.state)).toEqual(['started']);
    expect(rest.at(-1)!.next).toBeNull();
  });

  test.each([
    ['no since (a first run)', undefined, 'info', 'no watermark: reading /items in full'],
    [
      'a since older than the retention',
      40 * DAY,
      'warn',
      'is older than the 30 days /changes keeps: reading /items in full',
    ],
  ])(
    '%s: reads the list in full, stamped with until, whose cursor is until',
    async (_case, age, level, said) => {
      const { api, read, t, log } = await setup();
      const until = new Date(t * 1000);
      const window = { since: age === undefined ? undefined : new Date((t - age) * 1000), until };

      const pages = await collect(read('items', { window }));

      expect(api.requests.map((r) => r.path)).toEqual(['/items', '/items']);
      for (const r of api.requests) expect(r.query.has('created[gte]')).toBe(false);
      expect(pages.flatMap((p) => p.records)).toEqual([
        { id: 'i1', state: 'new', version_at: t },
        { id: 'i2', state: 'new', version_at: t },
      ]);
      for (const p of pages) expect(p.maxCursor).toBe(until.toISOString());
      expect(pages[0]!.next).toMatchObject({ feed: 'full' });
      expect(log.lines.find((l) => l.includes(said))).toContain(`"level":"${level}"`);
    },
  );
});

describe('its definition', () => {
  test.each([
    [{ params: { since: '{since}' } }, 'incremental.params: with incremental.changes'],
    [
      { cursorField: 'meta.version' },
      'incremental.cursorField: with incremental.changes it is a top-level field',
    ],
  ])('%j is a DefinitionError naming the field', (change, message) => {
    const s = stream() as { incremental: Record<string, unknown> };
    Object.assign(s.incremental, change);
    expect(() =>
      defineSource({ name: 'bad', baseUrl: 'https://x.test', streams: { items: s as never } }),
    ).toThrow(message);
  });
});

test('a list param is sent once per value, in order', async () => {
  const api = await startApi({ '/x': () => ({ body: [] }) });
  closers.push(api.close);
  const source = defineSource({
    name: 'list-params',
    baseUrl: 'https://x.test',
    streams: { x: { path: '/x', params: { 'types[]': ['a.b', 'c'], n: [1, 2], one: 'v' } } },
  });
  await collect(
    createReader(source, { baseUrl: api.url, logger: capture().logger })('x', {
      window: { until: new Date() },
    }),
  );
  expect([...api.requests[0]!.query.entries()]).toEqual([
    ['types[]', 'a.b'],
    ['types[]', 'c'],
    ['n', '1'],
    ['n', '2'],
    ['one', 'v'],
  ]);
});
