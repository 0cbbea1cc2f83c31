/**
 * A pause learned from a response holds every request of the source from the moment the response
 * is read: asserted at the server, as an ordering of arrivals against the reset the server named
 * (no request arrives after the limiting answer and before its reset), not as a timing of the client.
 */
import { type ApiRequest, rejectionOf, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../../src/definition/defineSource.ts';
import type { SourceInput } from '../../../src/definition/schema.ts';
import { createReader } from '../../../src/http/createReader.ts';
import { FAST_RETRY, ids, readAll } from '../support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const quiet = { debug() {}, info() {}, warn() {} };
const PAGES = 4;
const page = (req: ApiRequest) => {
  const p = Number(req.query.get('page'));
  return { body: p <= PAGES ? [{ id: `${req.path}-${p}` }] : [] };
};
/** GitHub's primary limit, as documented: 403, `x-ratelimit-remaining: 0`, reset in epoch seconds. */
const primaryLimit = (resetEpochSeconds: number) => ({
  status: 403,
  headers: {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(resetEpochSeconds),
  },
  body: { message: 'API rate limit exceeded for user ID 1.' },
});

interface Limit {
  /** Epoch ms when the server answered with the limit. */
  answeredAt: number;
  /** Epoch ms of the reset the server named. */
  resetAt: number;
}

/** Every arrival (epoch ms, as the server noted it), and the limit once answered. */
function recorder() {
  const arrivals: { at: number; path: string }[] = [];
  const limits: Limit[] = [];
  return {
    arrivals,
    limits,
    note: (req: ApiRequest) => arrivals.push({ at: Date.now(), path: req.path }),
    limit: (): number => {
      const resetSeconds = Math.ceil(Date.now() / 1000) + 1;
      limits.push({ answeredAt: Date.now(), resetAt: resetSeconds * 1000 });
      return resetSeconds;
    },
    /** Arrivals after a limit was answered and before its reset. */
    during: () => arrivals.filter(({ at }) => limits.some((l) => at > l.answeredAt && at < l.resetAt)),
  };
}

async function setup(
  rateLimit: SourceInput['rateLimit'],
  route: Parameters<typeof startApi>[0],
  retry: SourceInput['retry'] = FAST_RETRY,
) {
  const api = await startApi(route);
  closers.push(api.close);
  const stream = (path: string) => ({ path, paginator: { type: 'page' as const } });
  const source = defineSource({
    name: 'pause-test',
    baseUrl: 'https://x.example',
    rateLimit,
    retry,
    streams: { a: stream('/a'), b: stream('/b'), c: stream('/c'), d: stream('/d') },
  });
  return { api, read: createReader(source, { baseUrl: api.url, logger: quiet }) };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const expected = (path: string) => Array.from({ length: PAGES }, (_, i) => `${path}-${i + 1}`);

describe('a pause learned from a response', () => {
  test('403 + x-ratelimit-remaining 0: no request of any stream arrives before the reset (one in flight, as GitHub asks)', async () => {
    // Prepare: three streams queue on one slot; /a's second request hits the primary limit.
    const server = recorder();
    const { read } = await setup({ concurrency: 1 }, (req) => {
      server.note(req);
      if (req.path === '/a' && req.nth === 2) return primaryLimit(server.limit());
      return page(req);
    });

    // Act
    const [a, b, c] = await Promise.all([readAll(read, 'a'), readAll(read, 'b'), readAll(read, 'c')]);

    // Assess: the limit was answered once, nothing arrived during it, and every stream read in full
    expect(server.limits).toHaveLength(1);
    expect(server.during()).toEqual([]);
    expect(server.arrivals.some(({ at }) => at >= server.limits[0]!.resetAt)).toBe(true);
    expect(ids(a)).toEqual(expected('/a'));
    expect(ids(b)).toEqual(expected('/b'));
    expect(ids(c)).toEqual(expected('/c'));
  });

  test('with every slot taken when the limit is answered, the freed slot stays unused until the reset', async () => {
    // Prepare: 3 slots, 4 streams. The limit is answered while all 3 slots are taken, and the other two
    // requests are held until the reset: the only slot that frees is the limited one's, so any arrival
    // before the reset is a request started during the pause.
    const server = recorder();
    let inFlight = 0;
    let limited = false;
    const { read } = await setup({ concurrency: 3 }, async (req) => {
      server.note(req);
      inFlight++;
      try {
        if (!limited && inFlight === 3) {
          limited = true;
          return primaryLimit(server.limit());
        }
        await wait(15);
        const limit = server.limits[0];
        if (limit && Date.now() < limit.resetAt) await wait(limit.resetAt - Date.now() + 20);
        return page(req);
      } finally {
        inFlight--;
      }
    });

    // Act
    const pages = await Promise.all(['a', 'b', 'c', 'd'].map((s) => readAll(read, s)));

    // Assess
    expect(server.limits).toHaveLength(1);
    expect(server.during()).toEqual([]);
    expect(pages.map(ids)).toEqual(['/a', '/b', '/c', '/d'].map(expected));
  });

  test('a 2xx that says the quota is used up (remaining 0, a reset) holds the next request until the reset', async () => {
    // Prepare
    const server = recorder();
    const { read } = await setup({ concurrency: 1 }, (req) => {
      server.note(req);
      const reply = page(req);
      if (req.path === '/a' && req.nth === 1) {
        const reset = server.limit();
        return { ...reply, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } };
      }
      return reply;
    });

    // Act
    const [a, b] = await Promise.all([readAll(read, 'a'), readAll(read, 'b')]);

    // Assess: no 403 was ever needed; nothing arrived between the exhausted answer and the reset
    expect(server.during()).toEqual([]);
    expect(ids(a)).toEqual(expected('/a'));
    expect(ids(b)).toEqual(expected('/b'));
  });

  test('a pause longer than a request may wait fails every stream at once with RateLimitedError, sending nothing', async () => {
    // Prepare: the reset is an hour away; a request may wait 10 s in all.
    const server = recorder();
    const { read } = await setup(
      { concurrency: 1 },
      (req) => {
        server.note(req);
        if (req.path === '/a' && req.nth === 2) {
          const reset = Math.ceil(Date.now() / 1000) + 3600;
          server.limits.push({ answeredAt: Date.now(), resetAt: reset * 1000 });
          return primaryLimit(reset);
        }
        return page(req);
      },
      { ...FAST_RETRY, maxTotalWaitMs: 10_000 },
    );

    // Act
    const errors = await Promise.all(['a', 'b', 'c'].map((s) => rejectionOf(readAll(read, s))));

    // Assess: named as a rate limit, retryable by the state machine, nothing sent during the pause
    for (const error of errors) expect(error.name).toBe('RateLimitedError');
    expect(errors[1]!.message).toMatch(/paused for \d+ ms more/);
    expect(server.during()).toEqual([]);
  });
});
