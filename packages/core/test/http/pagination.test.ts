/** Every paginator end to end against a loopback API: stop conditions, loops caught, maxPages, resume. */
import { type ApiRequest, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { MalformedResponseError, PaginationLoopError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { Page } from '../../src/http/readTypes.ts';
import { FAST_RETRY, ids, readAll, WINDOW } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const ALL = Array.from({ length: 23 }, (_, i) => ({ id: i + 1 }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function setup(
  stream: SourceInput['streams'][string],
  route: (req: ApiRequest, base: string) => unknown,
) {
  let base = '';
  const api = await startApi({ '/items': (req) => route(req, base) as never });
  base = api.url;
  closers.push(api.close);
  const source = defineSource({
    name: 'pages-test',
    baseUrl: 'https://x.example',
    retry: FAST_RETRY,
    streams: { items: stream },
  });
  return {
    api,
    read: createReader(source, { baseUrl: api.url, logger: { debug() {}, info() {}, warn() {} } }),
  };
}

describe('paginators end to end', () => {
  test('single', async () => {
    const { api, read } = await setup({ path: '/items' }, () => ({ body: ALL }));
    const pages = await readAll(read, 'items');
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ index: 0, next: null, url: `${api.url}/items` });
    expect(ids(pages)).toEqual(range(1, 23));
  });

  test('offset: stops on the short page', async () => {
    const { api, read } = await setup({ path: '/items', paginator: { type: 'offset', limit: 10 } }, (req) => {
      const offset = Number(req.query.get('offset'));
      return { body: ALL.slice(offset, offset + Number(req.query.get('limit'))) };
    });
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, 23));
    expect(api.requests.map((r) => r.query.get('offset'))).toEqual(['0', '10', '20']);
  });

  test('offset: stops on an empty page when the total is a multiple of the limit', async () => {
    const { api, read } = await setup({ path: '/items', paginator: { type: 'offset', limit: 10 } }, (req) => {
      const offset = Number(req.query.get('offset'));
      return { body: ALL.slice(0, 20).slice(offset, offset + 10) };
    });
    const pages = await readAll(read, 'items');
    expect(ids(pages)).toEqual(range(1, 20));
    expect(api.requests).toHaveLength(3);
    expect(pages.at(-1)).toMatchObject({ records: [], next: null });
  });

  test('offset: stops at the total in the body without asking for an empty page', async () => {
    const { api, read } = await setup(
      { path: '/items', records: 'rows', paginator: { type: 'offset', limit: 10, totalPath: 'total' } },
      (req) => {
        const offset = Number(req.query.get('offset'));
        return { body: { total: 20, rows: ALL.slice(offset, offset + 10) } };
      },
    );
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, 20));
    expect(api.requests).toHaveLength(2);
  });

  test('page: stops after totalPagesPath pages', async () => {
    const { api, read } = await setup(
      {
        path: '/items',
        records: 'data',
        paginator: { type: 'page', sizeParam: 'per_page', size: 5, totalPagesPath: 'meta.pages' },
      },
      (req) => {
        const p = Number(req.query.get('page'));
        return { body: { meta: { pages: 3 }, data: ALL.slice((p - 1) * 5, p * 5) } };
      },
    );
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, 15));
    expect(api.requests.map((r) => [r.query.get('page'), r.query.get('per_page')])).toEqual([
      ['1', '5'],
      ['2', '5'],
      ['3', '5'],
    ]);
  });

  test('cursor from the body; stops when the cursor is missing', async () => {
    const { api, read } = await setup(
      {
        path: '/items',
        records: 'items',
        paginator: { type: 'cursor', param: 'page_token', cursorPath: 'page_info.next' },
      },
      (req) => {
        const start = Number(req.query.get('page_token') ?? '0');
        const next = start + 10 < ALL.length ? String(start + 10) : undefined;
        return { body: { items: ALL.slice(start, start + 10), page_info: next ? { next } : {} } };
      },
    );
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, 23));
    expect(api.requests.map((r) => r.query.get('page_token'))).toEqual([null, '10', '20']);
  });

  test('cursor from the last record while has_more (Stripe)', async () => {
    const { api, read } = await setup(
      {
        path: '/items',
        params: { limit: 10 },
        records: 'data',
        paginator: { type: 'cursor', param: 'starting_after', lastRecordPath: 'id', hasMorePath: 'has_more' },
      },
      (req) => {
        const after = Number(req.query.get('starting_after') ?? '0');
        const data = ALL.filter((r) => r.id > after).slice(0, 10);
        return { body: { object: 'list', data, has_more: data.at(-1)!.id < 23 } };
      },
    );
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, 23));
    expect(api.requests.map((r) => r.query.get('starting_after'))).toEqual([null, '10', '20']);
  });

  test('next URL from the body, relative', async () => {
    const { read } = await setup(
      { path: '/items', records: 'results', paginator: { type: 'nextUrl', path: 'next' } },
      (req) => {
        const p = Number(req.query.get('p') ?? '0');
        return {
          body: { results: ALL.slice(p * 10, p * 10 + 10), next: p < 2 ? `/items?p=${p + 1}` : null },
        };
      },
    );
    expect(ids(await readAll(read, 'items'))).toEqual(range(1, 23));
  });

  test('RFC 8288 Link header, absolute URLs (GitHub)', async () => {
    const { api, read } = await setup(
      { path: '/items', params: { per_page: 10 }, paginator: { type: 'link' } },
      (req, base) => {
        const p = Number(req.query.get('page') ?? '1');
        const links = [`<${base}/items?per_page=10&page=3>; rel="last"`];
        if (p < 3) links.unshift(`<${base}/items?per_page=10&page=${p + 1}>; rel="next"`);
        return { headers: { link: links.join(', ') }, body: ALL.slice((p - 1) * 10, p * 10) };
      },
    );
    const pages = await readAll(read, 'items');
    expect(ids(pages)).toEqual(range(1, 23));
    expect(pages.map((p) => p.url)).toEqual([
      `${api.url}/items?per_page=10`,
      `${api.url}/items?per_page=10&page=2`,
      `${api.url}/items?per_page=10&page=3`,
    ]);
  });
});

describe('loops and caps', () => {
  test('a cursor seen twice is a PaginationLoopError', async () => {
    const { api, read } = await setup(
      { path: '/items', records: 'items', paginator: { type: 'cursor', param: 'c', cursorPath: 'next' } },
      (req) => ({
        body: { items: [{ id: req.nth }], next: req.nth === 1 ? 'a' : req.nth === 2 ? 'b' : 'a' },
      }),
    );
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(error.message).toMatch(
      /^the API led back to a page already read .*\[source pages-test, stream items, page 3\]$/,
    );
    expect(api.requests).toHaveLength(3);
  });

  test('a next URL seen twice is a PaginationLoopError', async () => {
    const { read } = await setup({ path: '/items', paginator: { type: 'link' } }, (req, base) => ({
      headers: { link: `<${base}/items?page=${req.nth === 1 ? 2 : 1}>; rel="next"` },
      body: [{ id: req.nth }],
    }));
    // page 1 (no param) → ?page=2 → ?page=1 → ?page=2: seen.
    await expect(readAll(read, 'items')).rejects.toThrow(PaginationLoopError);
  });

  test('the same body twice in a row (an API ignoring the page param) is a PaginationLoopError', async () => {
    const { api, read } = await setup(
      { path: '/items', paginator: { type: 'page', size: 2, sizeParam: 'n' } },
      () => ({
        body: [{ id: 1 }, { id: 2 }],
      }),
    );
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(error.message).toMatch(/same page twice in a row/);
    expect(api.requests.length).toBeLessThanOrEqual(3); // read-ahead may have asked for one more
  });

  test('maxPages caps a walk', async () => {
    const { read } = await setup({ path: '/items', maxPages: 3, paginator: { type: 'page' } }, (req) => ({
      body: [{ id: req.nth }],
    }));
    const pages: Page[] = [];
    const error = await (async () => {
      for await (const page of read('items', { window: WINDOW })) pages.push(page);
    })().catch((e) => e);
    expect(error).toBeInstanceOf(PaginationLoopError);
    expect(error.message).toMatch(/more than maxPages \(3\) pages/);
    expect(pages).toHaveLength(3);
  });

  test('records that are not an array are a MalformedResponseError naming the path', async () => {
    const { read } = await setup({ path: '/items', records: 'data.items' }, () => ({
      body: { data: { items: { id: 1 } } },
    }));
    await expect(readAll(read, 'items')).rejects.toThrow(
      /expected an array of records at "data.items", got an object/,
    );
  });
});

describe('a records path the body does not have', () => {
  const errorBody = { body: { error: 'invalid_request', message: 'unknown field', meta: { id: 1 } } };

  for (const [how, extra] of [
    ['scanned', {}],
    ['parsed', { transform: (r: Record<string, unknown>) => r }],
  ] as const) {
    test(`is a MalformedResponseError naming the path, the URL and the body's keys (${how} path)`, async () => {
      const { api, read } = await setup({ path: '/items', records: 'data', ...extra }, () => errorBody);
      const error = (await readAll(read, 'items').catch((e: unknown) => e)) as MalformedResponseError;
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error.name).toBe('MalformedResponseError');
      expect(error.message).toContain('no records at "data": the body has no "data"');
      expect(error.message).toContain('its keys are ["error", "message", "meta"]');
      expect(error.message).toContain(`${api.url}/items`);
    });
  }

  test('nested: names the object where the path broke off', async () => {
    const { read } = await setup({ path: '/items', records: 'result.items' }, () => ({
      body: { result: { rows: [] } },
    }));
    await expect(readAll(read, 'items')).rejects.toThrow(
      /no records at "result.items": "result" has no "items"; its keys are \["rows"\]/,
    );
  });

  test('a root array where an object was expected', async () => {
    const { read } = await setup({ path: '/items', records: 'data' }, () => ({ body: [{ id: 1 }] }));
    await expect(readAll(read, 'items')).rejects.toThrow(/no records at "data": the body is an array/);
  });

  test('an empty object, an empty body and a null list are still empty pages', async () => {
    for (const body of [{}, '', { data: null }]) {
      const { read } = await setup({ path: '/items', records: 'data' }, () => ({ body }));
      expect(await readAll(read, 'items')).toMatchObject([{ records: [], next: null, end: 'api' }]);
    }
  });
});

describe('resume', () => {
  test('from any page position: the rest, exactly, and the same positions', async () => {
    const { api, read } = await setup({ path: '/items', paginator: { type: 'offset', limit: 5 } }, (req) => {
      const offset = Number(req.query.get('offset'));
      return { body: ALL.slice(offset, offset + 5) };
    });
    const full = await readAll(read, 'items');
    expect(full).toHaveLength(5);
    for (let k = 0; k < full.length - 1; k++) {
      const before = api.requests.length;
      const rest = await readAll(read, 'items', { from: full[k]!.next });
      expect(ids(rest)).toEqual(ids(full.slice(k + 1)));
      expect(rest.map((p) => p.next)).toEqual(full.slice(k + 1).map((p) => p.next));
      expect(api.requests.length - before).toBe(full.length - k - 1); // no page fetched twice
    }
  });

  test('stopping early cancels the read-ahead and the position resumes at the next page', async () => {
    const { read } = await setup({ path: '/items', paginator: { type: 'offset', limit: 5 } }, (req) => {
      const offset = Number(req.query.get('offset'));
      return { body: ALL.slice(offset, offset + 5) };
    });
    let position: unknown = null;
    const seen: unknown[] = [];
    for await (const page of read('items', { window: WINDOW })) {
      seen.push(...page.records.map((r) => r.id));
      position = page.next;
      if (seen.length >= 10) break;
    }
    const rest = await readAll(read, 'items', { from: position as never });
    expect([...seen, ...ids(rest)]).toEqual(range(1, 23));
  });

  test('a position that is not one the reader gave is refused', async () => {
    const { read } = await setup({ path: '/items' }, () => ({ body: [] }));
    await expect(readAll(read, 'items', { from: { page: 2 } })).rejects.toThrow(
      /a position to resume from must be a Page.next/,
    );
  });
});

describe('malformed bodies', () => {
  test('not JSON: MalformedResponseError with URL and snippet, not retried', async () => {
    const { api, read } = await setup({ path: '/items' }, () => ({
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Bad gateway, sorry</body></html>',
    }));
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toBe(
      `HTTP 200 with a body that is not JSON (content-type text/html) (44 bytes): <html><body>Bad gateway, sorry</body></html> [source pages-test, stream items, page 0, ${api.url}/items]`,
    );
    expect(error.snippet).toBe('<html><body>Bad gateway, sorry</body></html>');
    expect(api.requests).toHaveLength(1);
  });

  test('truncated JSON: named as truncated', async () => {
    const { read } = await setup({ path: '/items' }, () => ({ body: '[{"id": 1}, {"id": 2' }));
    await expect(readAll(read, 'items')).rejects.toThrow(
      /HTTP 200 with a truncated JSON body \(20 bytes\): \[\{"id": 1\}, \{"id": 2/,
    );
  });

  test('a body cut short by the connection is retried', async () => {
    const api = await startApi({
      '/items': (req, res) => {
        if (req.nth > 1) return { body: [{ id: 1 }] };
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('[{"id": 1}, {"id"');
        setTimeout(() => res.socket?.destroy(), 20);
        return undefined;
      },
    });
    closers.push(api.close);
    const source = defineSource({
      name: 'cut',
      baseUrl: 'https://x.example',
      retry: FAST_RETRY,
      streams: { items: { path: '/items' } },
    });
    const retries: string[] = [];
    const reader = createReader(source, {
      baseUrl: api.url,
      logger: { debug() {}, info() {}, warn() {} },
      observer: { onRetry: (r) => retries.push(r.reason) },
    });
    expect(ids(await readAll(reader, 'items'))).toEqual([1]);
    expect(retries).toHaveLength(1);
  });

  test('a gzip body is accepted and decoded', async () => {
    const api = await startApi({ '/items': () => ({ body: ALL, gzip: true }) });
    closers.push(api.close);
    const source = defineSource({
      name: 'gz',
      baseUrl: 'https://x.example',
      streams: { items: { path: '/items' } },
    });
    expect(ids(await readAll(createReader(source, { baseUrl: api.url }), 'items'))).toEqual(range(1, 23));
    expect(api.requests[0]!.headers['accept-encoding']).toBe('gzip');
  });
});
