/** Retries against a real loopback server: waits honoured, bursts survived, fatal answers named. */
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { HttpError, RateLimitedError, TransientError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import { capture, FAST_RETRY, ids, readAll } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function api(route: Parameters<typeof startApi>[0]) {
  const server = await startApi(route);
  closers.push(server.close);
  return server;
}

function reader(url: string, extra: Partial<SourceInput> = {}) {
  const c = capture();
  const source = defineSource({
    name: 'retry-test',
    baseUrl: 'https://api.example.com',
    retry: FAST_RETRY,
    streams: { items: { path: '/items', records: 'items' } },
    ...extra,
  });
  return { c, read: createReader(source, { baseUrl: url, logger: c.logger, observer: c.observer }) };
}

const ok = { body: { items: [{ id: 1 }, { id: 2 }] } };

describe('retries', () => {
  test('429 with Retry-After in seconds: waits that long, then succeeds', async () => {
    const server = await api({
      '/items': (req) => (req.nth === 1 ? { status: 429, headers: { 'retry-after': '1' } } : ok),
    });
    const { c, read } = reader(server.url);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
    expect(c.retries).toEqual([
      {
        stream: 'items',
        url: `${server.url}/items`,
        page: 0,
        attempt: 1,
        reason: 'HTTP 429',
        delayMs: 1000,
        rateLimited: true,
      },
    ]);
    expect(c.lines.some((l) => l.includes('retrying after HTTP 429 in 1000 ms'))).toBe(true);
  });

  test('429 with Retry-After as an HTTP date', async () => {
    const server = await api({
      '/items': (req) =>
        req.nth === 1
          ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } }
          : ok,
    });
    const { c, read } = reader(server.url);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    const delay = c.retries[0]!.delayMs;
    expect(delay).toBeGreaterThan(0); // an HTTP date has whole seconds: 1–2 s from now
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(delay - 10);
  });

  test("GitHub's primary limit: 403 with x-ratelimit-remaining 0 waits until x-ratelimit-reset", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 1;
    const server = await api({
      '/items': (req) =>
        req.nth === 1
          ? {
              status: 403,
              headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
              body: { message: 'API rate limit exceeded' },
            }
          : ok,
    });
    const { c, read } = reader(server.url);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(c.retries[0]).toMatchObject({ reason: 'HTTP 403', rateLimited: true });
    // performance.timeOrigin + now() and Date.now() may differ by a few ms.
    expect(performance.timeOrigin + server.requests[1]!.at).toBeGreaterThanOrEqual(reset * 1000 - 50);
  });

  test('a 5xx or a 202 with quota left is not held until x-ratelimit-reset: backed off (GitHub sends the reset on every answer)', async () => {
    // An hour away, as GitHub's is: waited for, it would pass retry.maxTotalWaitMs at once
    const reset = String(Math.ceil(Date.now() / 1000) + 3600);
    const quotaLeft = { 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': reset };
    const server = await api({
      '/items': (req) =>
        req.nth <= 2 ? { status: req.nth === 1 ? 503 : 202, headers: quotaLeft, body: {} } : ok,
    });
    const { c, read } = reader(server.url);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(server.requests).toHaveLength(3);
    expect(c.retries.map((r) => [r.reason, r.rateLimited])).toEqual([
      ['HTTP 503', false],
      ['HTTP 202 (not ready: the API is still preparing the answer)', false],
    ]);
    for (const r of c.retries) expect(r.delayMs).toBeLessThanOrEqual(FAST_RETRY.maxDelayMs);
  });

  test('a burst of 5xx, then success', async () => {
    const server = await api({
      '/items': (req) => (req.nth <= 3 ? { status: req.nth === 2 ? 502 : 503 } : ok),
    });
    const { c, read } = reader(server.url);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(server.requests).toHaveLength(4);
    expect(c.retries.map((r) => [r.attempt, r.reason, r.rateLimited])).toEqual([
      [1, 'HTTP 503', false],
      [2, 'HTTP 502', false],
      [3, 'HTTP 503', false],
    ]);
  });

  test('408 and 425 are retried too', async () => {
    const server = await api({
      '/items': (req) => (req.nth === 1 ? { status: 408 } : req.nth === 2 ? { status: 425 } : ok),
    });
    const { read } = reader(server.url);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(server.requests).toHaveLength(3);
  });

  test('retries run out: TransientError (retryable) naming source, stream, page and URL', async () => {
    const server = await api({ '/items': () => ({ status: 503, body: 'upstream down' }) });
    const { read } = reader(server.url);
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ name: 'TransientError', retryable: true, attempts: 4, reason: 'HTTP 503' });
    expect(error.message).toBe(
      `HTTP 503; gave up after 4 attempts [source retry-test, stream items, page 0, ${server.url}/items]`,
    );
    expect(server.requests).toHaveLength(FAST_RETRY.maxAttempts);
  });

  test('still rate limited when retries run out: RateLimitedError', async () => {
    const server = await api({ '/items': () => ({ status: 429 }) });
    const { read } = reader(server.url);
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.name).toBe('RateLimitedError');
  });

  test('a wait beyond maxTotalWaitMs fails at once instead of sleeping', async () => {
    const server = await api({ '/items': () => ({ status: 429, headers: { 'retry-after': '3600' } }) });
    const { read } = reader(server.url, { retry: { ...FAST_RETRY, maxTotalWaitMs: 1000 } });
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toMatch(/the next wait \(3600000 ms\) would pass the total wait limit/);
    expect(server.requests).toHaveLength(1);
  });

  test('a connection reset is retried', async () => {
    const server = await api({
      '/items': (req, res) => {
        if (req.nth === 1) {
          res.socket?.destroy();
          return undefined;
        }
        return ok;
      },
    });
    const { c, read } = reader(server.url);
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(c.retries[0]!.reason).toMatch(/ECONNRESET|socket hang up/);
  });

  test('a refused connection is retried, then a TransientError', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { c, read } = reader(`http://127.0.0.1:${port}`, { retry: { ...FAST_RETRY, maxAttempts: 2 } });
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.reason).toBe('ECONNREFUSED');
    expect(c.retries).toHaveLength(1);
  });

  test('a connection that never opens hits the connect timeout', async () => {
    // A listening socket that never accepts, its queue full: the kernel drops further SYNs.
    const listener = spawn(process.env.PYTHON ?? 'python3', [
      '-c',
      'import socket,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)',
    ]);
    closers.push(async () => void listener.kill());
    const port = await new Promise<number>((resolve) =>
      listener.stdout.once('data', (d) => resolve(Number(String(d)))),
    );
    const fillers: Socket[] = [0, 1, 2].map(() => connect(port, '127.0.0.1').on('error', () => {}));
    closers.push(async () => {
      for (const f of fillers) f.destroy();
    });
    await new Promise((r) => setTimeout(r, 200));
    const { c, read } = reader(`http://127.0.0.1:${port}`, {
      retry: { ...FAST_RETRY, maxAttempts: 2 },
      timeouts: { connectMs: 300, totalMs: 60_000 },
    });
    const error = await readAll(read, 'items').catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.reason).toBe('connect timeout');
    expect(c.retries.map((r) => r.reason)).toEqual(['connect timeout']);
  });

  test('a slow body hits the total timeout, and is retried', async () => {
    const server = await api({
      '/items': (req, res) => {
        if (req.nth > 1) return ok;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"items": [');
        const drip = setInterval(() => res.write(' '), 50); // alive, but never done
        res.on('close', () => clearInterval(drip));
        return undefined;
      },
    });
    const { c, read } = reader(server.url, { timeouts: { connectMs: 1000, totalMs: 400 } });
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    expect(c.retries[0]!.reason).toBe('timeout after 400 ms');
  });

  test('fatal statuses are not retried and are named: 404, 422, 403 without rate-limit signs', async () => {
    for (const status of [404, 422, 403]) {
      const server = await api({ '/items': () => ({ status, body: { message: `status ${status}` } }) });
      const { c, read } = reader(server.url);
      const error = await readAll(read, 'items').catch((e) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({
        name: 'HttpError',
        status,
        retryable: false,
        url: `${server.url}/items`,
      });
      expect(error.message).toBe(
        `HTTP ${status} (not retried): {"message":"status ${status}"} [source retry-test, stream items, page 0, ${server.url}/items]`,
      );
      expect(server.requests).toHaveLength(1);
      expect(c.retries).toHaveLength(0);
    }
  });

  test("a source's rule comes first: 404 ignored is an empty page, a 200 error body retried", async () => {
    const server = await api({
      '/items': (req) => (req.nth === 1 ? { body: { error: 'busy, try again' } } : ok),
      '/gone': () => ({ status: 404 }),
    });
    const { read } = reader(server.url, {
      responseRules: [
        { status: 404, action: 'ignore' },
        { status: 200, bodyContains: '"error"', action: 'retry' },
      ],
      streams: { items: { path: '/items', records: 'items' }, gone: { path: '/gone', records: 'items' } },
    });
    expect(ids(await readAll(read, 'items'))).toEqual([1, 2]);
    const gone = await readAll(read, 'gone');
    expect(gone).toMatchObject([{ records: [], next: null }]);
    // The walk ended, but not because the API said so: no proof for the watermark
    expect(gone[0]!.end).toBe('ignored');
  });
});
