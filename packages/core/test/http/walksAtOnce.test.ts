/**
 * ➕ The walks of one stream at once (issue 18, the floor's partitions case): partitions and a
 * child's parent keys are walked up to `rateLimit.concurrency` at a time, each walk's pages in its
 * own order, the walks' pages interleaved as they arrive. Every page's position names each walk in
 * flight at its own page (`{ w, s, n, a?, t? }`), so a resume from any page lands exactly the rest:
 * nothing twice, nothing lost. Against a loopback API that holds each answer a little, so that walks
 * overlap, and counts the requests it has in flight.
 */
import { type ApiRequest, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { EventValidationError, HttpError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { ApiRecord, Page } from '../../src/http/readTypes.ts';
import { walksAtOnce } from '../../src/http/walksAtOnce.ts';
import { countingRoute, FAST_RETRY, readAll } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const quiet = { debug() {}, info() {}, warn() {} };

/** Records per walk (by its key), 2 a page; walk `k` holds `sizes[k]` records `k-0`, `k-1`, … */
const SIZES: Record<string, number> = { a: 5, b: 1, c: 4, d: 0, e: 6, f: 3 };
const KEYS = Object.keys(SIZES);
const ALL = KEYS.flatMap((k) => Array.from({ length: SIZES[k]! }, (_, i) => `${k}-${i}`));

/** The API: `/things/<key>?page=N`, 2 records a page; answers after `delay(req)` ms. */
async function setup(
  streams: SourceInput['streams'],
  options: { concurrency?: number; delay?: (req: ApiRequest) => number; fail?: string } = {},
) {
  const { route, seen } = countingRoute(
    (req) => {
      const key = req.path.split('/')[2]!;
      if (key === options.fail) return { status: 404, body: { message: 'Not Found' } };
      const page = Number(req.query.get('page') ?? '1');
      const ids = Array.from({ length: SIZES[key] ?? 0 }, (_, i) => `${key}-${i}`);
      return { body: ids.slice((page - 1) * 2, page * 2).map((id) => ({ id })) };
    },
    (req) => options.delay?.(req) ?? 15,
  );
  const api = await startApi(route);
  closers.push(api.close);
  const source = defineSource({
    name: 'walks-at-once',
    baseUrl: 'https://api.example.com',
    retry: FAST_RETRY,
    rateLimit: { concurrency: options.concurrency ?? 3 },
    streams,
  });
  return { api, seen, read: createReader(source, { baseUrl: api.url, logger: quiet }) };
}

const paginator = { type: 'page' as const, size: 2, sizeParam: 'per_page' };
const partitioned: SourceInput['streams'] = {
  things: { path: '/things/{key}', paginator, partitions: KEYS.map((key) => ({ key })) },
};
const parents: ApiRecord[] = KEYS.map((key, i) => ({ key, n: i }));
const child: SourceInput['streams'] = {
  owners: { path: '/owners' },
  things: { path: '/things/{parent.key}', paginator, parent: { stream: 'owners' } },
};
async function* from<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

const ids = (pages: Page[]) => pages.flatMap((p) => p.records.map((r) => String(r.id)));
type At = { w: number; s: unknown; n: number; a?: { w: number }[]; t?: number };
const inFlight = (page: Page) => {
  const at = page.next as At | null;
  return at ? [at.w, ...(at.a ?? []).map((p) => p.w)] : [];
};

describe.each([
  { kind: 'partitions', streams: partitioned, extra: {} },
  { kind: "a child's parent keys", streams: child, extra: { parents: () => from(parents) } },
])('$kind, walked at once', ({ streams, extra }) => {
  test('up to rateLimit.concurrency walks in flight; every record once, each walk in its own order', async () => {
    const { api, seen, read } = await setup(streams);

    const pages = await readAll(read, 'things', extra);

    expect(ids(pages).toSorted()).toEqual(ALL.toSorted());
    for (const key of KEYS) {
      const own = ids(pages).filter((id) => id.startsWith(`${key}-`));
      expect(own).toEqual(ALL.filter((id) => id.startsWith(`${key}-`)));
    }
    expect(seen.most).toBeLessThanOrEqual(3);
    expect(seen.most).toBeGreaterThan(1);
    // Each page of a walk asked once; a short page ends a walk, a full last one asks one more (empty):
    // a 3, b 1, c 3, d 1, e 4, f 2 (and the parents, read from the caller, ask nothing)
    expect(api.requests.length).toBe(14);
    // Several walks in flight at some page; the positions name them by index, the last says done
    expect(Math.max(...pages.map((p) => inFlight(p).length))).toBeGreaterThan(1);
    expect(pages.map((p) => p.next === null)).toEqual(pages.map((_, i) => i === pages.length - 1));
    expect(pages.map((p) => p.index)).toEqual(pages.map((_, i) => i));
    // Each walk's last page says the API ended it
    expect(pages.filter((p) => p.end === 'api')).toHaveLength(KEYS.length);
  });

  test('a resume from any page lands exactly the rest: every walk in flight at its own page', async () => {
    // Prepare: answers held unevenly, so that the walks' pages interleave
    const delay = (req: ApiRequest) => (req.path.charCodeAt(8) % 3) * 12 + 3;
    const { read } = await setup(streams, { delay });
    const pages = await readAll(read, 'things', extra);
    expect(Math.max(...pages.map((p) => inFlight(p).length))).toBeGreaterThan(1);

    for (let k = 0; k < pages.length - 1; k++) {
      // Act: resume after page k (as a continuation carries it: JSON)
      const resumeFrom = JSON.parse(JSON.stringify(pages[k]!.next));
      const rest = await readAll(read, 'things', { ...extra, from: resumeFrom });

      // Assess: what was landed up to page k and what the resume lands are every record, once
      const landed = [...ids(pages.slice(0, k + 1)), ...ids(rest)];
      expect(landed.toSorted(), `resumed after page ${k}`).toEqual(ALL.toSorted());
      expect(rest.at(-1)!.next).toBeNull();
    }
  });
});

describe('positions', () => {
  test('a plain { w, s, n } (one walk at a time, or written before) still resumes: that walk at its page, the walks after it from their start', async () => {
    const { api, read } = await setup(partitioned);

    // Act: walk 2 (c) at its second page
    const rest = await readAll(read, 'things', { from: { w: 2, s: { page: 2 }, n: 1 } });

    // Assess: a and b not asked; c from page 2; d, e, f whole
    expect(ids(rest).toSorted()).toEqual(
      [...ALL.filter((id) => /^[def]-/.test(id)), 'c-2', 'c-3'].toSorted(),
    );
    expect(api.requests.some((r) => /\/things\/[ab]$/.test(r.path))).toBe(false);
    expect(api.requests.filter((r) => r.path === '/things/c').map((r) => r.query.get('page'))).toEqual([
      '2',
      '3',
    ]);
  });

  test('t: the walks before it not in flight are done, never asked again', async () => {
    const { api, read } = await setup(partitioned);

    // Act: a in flight at page 3, e at page 2; b, c, d done; f not started (t = 5)
    const rest = await readAll(read, 'things', {
      from: { w: 0, s: { page: 3 }, n: 2, a: [{ w: 4, s: { page: 2 }, n: 1 }], t: 5 },
    });

    // Assess
    expect(ids(rest).toSorted()).toEqual(['a-4', 'e-2', 'e-3', 'e-4', 'e-5', 'f-0', 'f-1', 'f-2']);
    expect(new Set(api.requests.map((r) => r.path))).toEqual(
      new Set(['/things/a', '/things/e', '/things/f']),
    );
  });

  test.each([
    ['`a` not a list', { w: 0, s: null, n: 0, a: { w: 1 } }],
    ['a walk in `a` without its state', { w: 0, s: null, n: 0, a: [{ w: 1, n: 0 }] }],
    ['the same walk twice', { w: 1, s: null, n: 0, a: [{ w: 1, s: null, n: 0 }] }],
    ['`t` not after the walks in flight', { w: 0, s: null, n: 0, a: [{ w: 3, s: null, n: 0 }], t: 2 }],
  ])('%s is an EventValidationError naming the position', async (_, position) => {
    const { read } = await setup(partitioned);
    const error = await readAll(read, 'things', { from: position }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as Error).message).toContain(
      'a position to resume from must be a Page.next of this stream',
    );
  });
});

describe('failure and files', () => {
  test('a walk that fails fails the stream with its own error, while the others are in flight', async () => {
    const { read } = await setup(partitioned, { fail: 'c' });
    const error = await readAll(read, 'things').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404 });
    expect((error as Error).message).toContain('/things/c');
  });

  test('a streamed file stream walks its partitions one at a time', async () => {
    const { route, seen } = countingRoute(
      (req) => {
        const key = req.path.split('/')[2]!.replace('.jsonl', '');
        return {
          body: `${JSON.stringify({ id: `${key}-0` })}\n`,
          headers: { 'content-type': 'application/x-ndjson' },
        };
      },
      () => 15,
    );
    const api = await startApi(route);
    closers.push(api.close);
    const source = defineSource({
      name: 'walks-at-once-files',
      baseUrl: 'https://api.example.com',
      retry: FAST_RETRY,
      rateLimit: { concurrency: 4 },
      streams: {
        files: {
          path: '/files/{key}.jsonl',
          decoder: { type: 'jsonl' },
          partitions: KEYS.map((key) => ({ key })),
        },
      },
    });
    const read = createReader(source, { baseUrl: api.url, logger: quiet });

    const pages = await readAll(read, 'files');

    expect(ids(pages)).toEqual(KEYS.map((k) => `${k}-0`));
    expect(seen.most).toBe(1);
  });

  test('a walk that ends without a last page (next: null) is an error, not the walks after it left unread', async () => {
    // A reader that breaks the contract: its walks return without a page
    const nothing = async function* (): AsyncGenerator<Page> {};
    const pages = walksAtOnce({
      walks: from([{ index: 0 }, { index: 1 }, { index: 2 }]),
      resume: undefined,
      width: 2,
      read: () => nothing(),
      startOf: (walk) => ({ w: walk.index, s: null, n: 0 }),
      nextIndex: () => 0,
      abort: new AbortController(),
    });
    const seen: Page[] = [];
    const error = await (async () => {
      for await (const page of pages) seen.push(page);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('walk 0 ended without a last page');
    expect(seen).toEqual([]);
  });
});
