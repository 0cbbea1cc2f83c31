/** Client-side rate limiting, measured by the server: spacing, concurrency, a 429 pausing the source. */
import { startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../../src/definition/defineSource.ts';
import type { SourceInput } from '../../../src/definition/schema.ts';
import { createReader } from '../../../src/http/createReader.ts';
import { FAST_RETRY, readAll } from '../support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const quiet = { debug() {}, info() {}, warn() {} };
const pagesOf = (n: number) => (req: { query: URLSearchParams }) => {
  const p = Number(req.query.get('page'));
  return { body: p <= n ? [{ id: p }] : [] };
};

async function setup(rateLimit: SourceInput['rateLimit'], routes: Parameters<typeof startApi>[0]) {
  const api = await startApi(routes);
  closers.push(api.close);
  const stream = (path: string) => ({ path, paginator: { type: 'page' as const } });
  const source = defineSource({
    name: 'limits-test',
    baseUrl: 'https://x.example',
    rateLimit,
    retry: FAST_RETRY,
    streams: { a: stream('/a'), b: stream('/b'), c: stream('/c') },
  });
  return { api, read: createReader(source, { baseUrl: api.url, logger: quiet }) };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('rate limit', () => {
  test('requests per second space every request of the source, across streams', async () => {
    const { api, read } = await setup(
      { requestsPerSecond: 5, concurrency: 4 },
      { '/a': pagesOf(4), '/b': pagesOf(4), '/c': pagesOf(0) },
    );
    await readAll(read, 'c'); // warm up: first-request costs (code paths, a connection) out of the way
    await Promise.all([readAll(read, 'a'), readAll(read, 'b')]);
    expect(api.requests).toHaveLength(11);
    const times = api.requests.map((r) => r.at).sort((x, y) => x - y);
    // Starts are 200 ms apart. The server (in this same process, on shared cores) may note an arrival
    // late when the event loop or the machine is busy, which shortens the gap after it; so the bounds
    // are robust ones: the median gap, and the whole span (only the first arrival's delay shortens it).
    const sorted = gaps(times).sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(180);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(9 * 200);
  });

  test('concurrency bounds requests in flight across streams', async () => {
    let inFlight = 0;
    let most = 0;
    const slow = (req: { query: URLSearchParams }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise<{ body: unknown }>((resolve) =>
        setTimeout(() => {
          inFlight--;
          resolve(pagesOf(3)(req));
        }, 60),
      );
    };
    const { api, read } = await setup({ concurrency: 2 }, { '/a': slow, '/b': slow, '/c': slow });
    await Promise.all([readAll(read, 'a'), readAll(read, 'b'), readAll(read, 'c')]);
    expect(api.requests).toHaveLength(12);
    expect(most).toBe(2);
  });

  test('a 429 with Retry-After pauses the whole source, not only its own stream', async () => {
    let limitedAt = 0;
    const { api, read } = await setup(
      { concurrency: 4 },
      {
        '/a': (req) => {
          if (req.nth === 2) {
            limitedAt = req.at;
            return { status: 429, headers: { 'retry-after': '1' } };
          }
          return pagesOf(3)(req);
        },
        '/b': (req) => new Promise((r) => setTimeout(() => r(pagesOf(6)(req)), 40)),
      },
    );
    await Promise.all([readAll(read, 'a'), readAll(read, 'b')]);
    // Nothing of either stream arrives within the second the server asked for, except a request already
    // on its way when the 429 came back (allowed 100 ms); /b goes on afterwards.
    const during = api.requests.filter((r) => r.at > limitedAt + 100 && r.at < limitedAt + 990);
    expect(during).toEqual([]);
    expect(api.requests.some((r) => r.path === '/b' && r.at >= limitedAt + 990)).toBe(true);
  });
});
