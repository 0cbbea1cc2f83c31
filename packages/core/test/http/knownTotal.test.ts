/**
 * Offset and page paginators with a known total (issue 18, the floor's known-total cases): once the
 * first page gives the total, the pages after it are fetched concurrently (up to
 * `rateLimit.concurrency`), and still emitted in order, exactly once, with each page's position the
 * next page's state — so a resume re-reads what was fetched ahead but not emitted. Against a loopback
 * API that answers later pages sooner, so that responses arrive out of order.
 */
import { type ApiRequest, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { Page } from '../../src/http/readTypes.ts';
import { countingRoute, FAST_RETRY, ids, readAll, WINDOW } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const TOTAL = 100;
const ALL = Array.from({ length: TOTAL }, (_, i) => ({ id: i + 1 }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The API: `reply(req)` gives a page's body (or a reply); later pages answer sooner; the most in flight is kept. */
async function setup(
  stream: SourceInput['streams'][string],
  reply: (req: ApiRequest) => { body: unknown; status?: number; headers?: Record<string, string> },
  order: (req: ApiRequest) => number,
) {
  const { route, seen } = countingRoute(reply, (req) => Math.max(0, 10 - order(req)) * 8);
  const api = await startApi({ '/items': route });
  closers.push(api.close);
  const source = defineSource({
    name: 'known-total',
    baseUrl: 'https://x.example',
    retry: FAST_RETRY,
    rateLimit: { concurrency: 4 },
    streams: { items: stream },
  });
  const read = createReader(source, { baseUrl: api.url, logger: { debug() {}, info() {}, warn() {} } });
  return { api, read, seen };
}

const offsetStream = {
  path: '/items',
  records: 'rows',
  paginator: { type: 'offset' as const, limit: 10, totalPath: 'total' },
};
const offsetOf = (req: ApiRequest) => Number(req.query.get('offset'));
const offsetPage = (req: ApiRequest, total = TOTAL, data = ALL) => ({
  body: { total, rows: data.slice(offsetOf(req), offsetOf(req) + Number(req.query.get('limit'))) },
});

describe('known totals: pages fetched concurrently, emitted in order', () => {
  test('offset with totalPath: every record once, in order, with several requests in flight', async () => {
    const { api, read, seen } = await setup(
      offsetStream,
      (req) => offsetPage(req),
      (req) => offsetOf(req) / 10,
    );
    const pages = await readAll(read, 'items');
    expect(ids(pages)).toEqual(range(1, TOTAL));
    expect(pages.map((p) => p.index)).toEqual(range(0, 9));
    expect(pages.map((p) => (p.next as { s: unknown } | null)?.s ?? null)).toEqual([
      ...range(1, 9).map((k) => ({ offset: k * 10 })),
      null,
    ]);
    expect(api.requests.map(offsetOf).sort((a, b) => a - b)).toEqual(range(0, 9).map((k) => k * 10));
    expect(seen.most).toBeGreaterThan(1);
    expect(seen.most).toBeLessThanOrEqual(4);
  });

  test('page with totalPagesPath: every record once, in order, with several requests in flight', async () => {
    const { api, read, seen } = await setup(
      {
        path: '/items',
        records: 'data',
        paginator: { type: 'page', sizeParam: 'per_page', size: 10, totalPagesPath: 'meta.pages' },
      },
      (req) => {
        const p = Number(req.query.get('page'));
        return { body: { meta: { pages: 10 }, data: ALL.slice((p - 1) * 10, p * 10) } };
      },
      (req) => Number(req.query.get('page')) - 1,
    );
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, TOTAL));
    expect(api.requests).toHaveLength(10);
    expect(seen.most).toBeGreaterThan(1);
  });

  test('a stop mid-way and a resume from the last emitted page read every record exactly once', async () => {
    const { read } = await setup(
      offsetStream,
      (req) => offsetPage(req),
      (req) => offsetOf(req) / 10,
    );
    const first: Page[] = [];
    for await (const page of read('items', { window: WINDOW })) {
      first.push(page);
      if (first.length === 3) break; // pages fetched ahead are dropped
    }
    expect(ids(first)).toEqual(range(1, 30));
    const rest = await readAll(read, 'items', { from: first.at(-1)!.next });
    expect(ids(rest)).toEqual(range(31, TOTAL));
    expect(rest[0]!.index).toBe(0);
  });

  test('a 429 on one page mid-way is retried in place: order and exactly once kept', async () => {
    let refused = 0;
    const { api, read } = await setup(
      offsetStream,
      (req) => {
        if (offsetOf(req) === 50 && refused++ === 0)
          return { status: 429, headers: { 'retry-after': '0' }, body: { error: 'slow down' } };
        return offsetPage(req);
      },
      (req) => offsetOf(req) / 10,
    );
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, TOTAL));
    expect(api.requests.filter((r) => offsetOf(r) === 50)).toHaveLength(2);
  });

  test('a total the data does not reach: the short page ends the stream, pages fetched past it are dropped', async () => {
    const data = ALL.slice(0, 55);
    const { read } = await setup(
      offsetStream,
      (req) => offsetPage(req, 200, data),
      (req) => offsetOf(req) / 10,
    );
    const pages = await readAll(read, 'items');
    expect(ids(pages)).toEqual(range(1, 55));
    expect(pages.at(-1)!.next).toBeNull();
  });
});
