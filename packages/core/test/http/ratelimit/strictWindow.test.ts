/**
 * The client's rate limit against a strict server: at most N requests in any 1 s window (sliding,
 * measured where it counts, at the server), several streams over more than one slot, and a
 * Retry-After pause in the middle. Asserted on counts, not on wall time: no request refused, never
 * N + 1 in a window, and the rate kept (some window holds N - 1 or more).
 */
import { type ApiRequest, startApi, strictWindow } from '@tributary/testkit';
import { afterEach, expect, test } from 'vitest';
import { defineSource } from '../../../src/definition/defineSource.ts';
import { createReader } from '../../../src/http/createReader.ts';
import { capture, FAST_RETRY, ids, readAll } from '../support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const N = 10;
/** 4 streams × (9 pages + the empty one that ends each walk) = 40 requests, and the paused one again. */
const STREAMS = ['a', 'b', 'c', 'd'];
const PAGES = 9;
const page = (req: ApiRequest) => {
  const p = Number(req.query.get('page'));
  return { body: p <= PAGES ? [{ id: `${req.path}-${p}` }] : [] };
};

test(`requestsPerSecond: ${N} never puts ${N + 1} requests in a 1 s window of a strict server, across streams and after a Retry-After pause`, async () => {
  // Prepare: the server refuses the 11th request in any 1 s window, and pauses the run at its 15th
  const server = strictWindow(page, { limit: N, windowMs: 1000, pauseAt: 15, pauseSeconds: 1 });
  const api = await startApi(server.route);
  closers.push(api.close);
  const stream = (path: string) => ({ path, paginator: { type: 'page' as const } });
  const source = defineSource({
    name: 'strict-window-test',
    baseUrl: 'https://x.example',
    rateLimit: { requestsPerSecond: N, concurrency: 3 },
    retry: FAST_RETRY,
    streams: Object.fromEntries(STREAMS.map((s) => [s, stream(`/${s}`)])),
  });
  const seen = capture();
  const read = createReader(source, { baseUrl: api.url, logger: seen.logger, observer: seen.observer });

  // Act
  const pages = await Promise.all(STREAMS.map((s) => readAll(read, s)));

  // Assess: every record read; the only 429 the test's own pause
  for (const [i, s] of STREAMS.entries())
    expect(ids(pages[i]!)).toEqual(Array.from({ length: PAGES }, (_, p) => `/${s}-${p + 1}`));
  expect(server.arrivals).toHaveLength(STREAMS.length * (PAGES + 1) + 1);
  expect(server.refused()).toBe(0);
  expect(seen.retries.map((r) => r.reason)).toEqual(['HTTP 429']);
  // never over the limit in any window, and the rate kept: some window held at least N - 1
  expect(server.mostInWindow()).toBeLessThanOrEqual(N);
  expect(server.mostInWindow()).toBeGreaterThanOrEqual(N - 1);
});
