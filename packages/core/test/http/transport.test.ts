import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { freePort, type LoopbackApi, rejectionOf, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { HttpError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import { MAX_REDIRECTS, NetworkFailure, transmit } from '../../src/http/transport.ts';
import type { HttpRequest } from '../../src/http/types.ts';
import { readAll } from './support.ts';

const TIMEOUTS = { connectMs: 2_000, totalMs: 10_000 };
const PAYLOAD = Buffer.from(
  JSON.stringify({ data: Array.from({ length: 500 }, (_, id) => ({ id, name: `n${id}` })) }),
);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function api(routes: Parameters<typeof startApi>[0]): Promise<LoopbackApi> {
  const started = await startApi(routes);
  closers.push(started.close);
  return started;
}

function get(url: string, headers: Record<string, string> = {}): HttpRequest {
  return { method: 'GET', url: new URL(url), headers };
}

async function failure(promise: Promise<unknown>): Promise<NetworkFailure> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(NetworkFailure);
  return error as NetworkFailure;
}

describe('bodies', () => {
  test.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync], // raw deflate, as some servers send it
    ['br', brotliCompressSync],
  ] as const)('content-encoding %s is decoded (%o)', async (encoding, compress) => {
    const server = await api({
      '/items': () => ({ headers: { 'content-encoding': encoding }, body: compress(PAYLOAD) }),
    });
    const response = await transmit(get(`${server.url}/items`), TIMEOUTS);
    expect(response.body.equals(PAYLOAD)).toBe(true);
    expect(server.requests[0]!.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  test("the caller's Accept-Encoding is sent as given", async () => {
    const server = await api({ '/items': () => ({ body: PAYLOAD, gzip: true }) });
    const response = await transmit(get(`${server.url}/items`, { 'Accept-Encoding': 'gzip' }), TIMEOUTS);
    expect(response.body.equals(PAYLOAD)).toBe(true);
    expect(server.requests[0]!.headers['accept-encoding']).toBe('gzip');
  });

  test('a body written in many pieces comes back whole; an unknown encoding as sent', async () => {
    const server = await api({
      '/items': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'identity' });
        const write = (at: number) => {
          if (at >= PAYLOAD.length) return void res.end();
          res.write(PAYLOAD.subarray(at, at + 1000));
          setImmediate(() => write(at + 1000));
        };
        write(0);
        return undefined;
      },
    });
    const response = await transmit(get(`${server.url}/items`), TIMEOUTS);
    expect(response.body.equals(PAYLOAD)).toBe(true);
  });

  test('every status is a response, headers in lower case, set-cookie as a list', async () => {
    const server = await api({
      '/missing': (_req, res) => {
        res.setHeader('X-Request-Id', 'abc');
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.statusCode = 404;
        res.end('{"message":"nope"}');
        return undefined;
      },
      '/broken': () => ({ status: 503, body: { message: 'later' } }),
    });
    const missing = await transmit(get(`${server.url}/missing`), TIMEOUTS);
    expect(missing.status).toBe(404);
    expect(missing.headers['x-request-id']).toBe('abc');
    expect(missing.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(missing.body.toString()).toBe('{"message":"nope"}');
    expect((await transmit(get(`${server.url}/broken`), TIMEOUTS)).status).toBe(503);
  });

  test('a form body is POSTed with its length', async () => {
    const server = await api({ 'POST /token': (req) => ({ body: { got: req.body } }) });
    const body = 'grant_type=client_credentials&scope=r%C3%A9ad';
    const response = await transmit(
      {
        method: 'POST',
        url: new URL(`${server.url}/token`),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      },
      TIMEOUTS,
    );
    expect(JSON.parse(response.body.toString())).toEqual({ got: body });
    const sent = server.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(sent.headers['transfer-encoding']).toBeUndefined();
  });
});

describe('connections', () => {
  test('requests in turn share one keep-alive connection, redirects included', async () => {
    let connections = 0;
    const server = createHttpServer((req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/items' }).end('moved');
      else res.end(PAYLOAD);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()));
    const { port } = server.address() as AddressInfo;
    for (const path of ['/items', '/old', '/items', '/old', '/items']) {
      const response = await transmit(get(`http://127.0.0.1:${port}${path}`), TIMEOUTS);
      expect(response.body.equals(PAYLOAD)).toBe(true);
    }
    expect(connections).toBe(1);
  });
});

describe('bodies cut short', () => {
  test('fewer bytes than content-length, then the connection closes: truncated body', async () => {
    const server = await api({
      '/items': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('[{"id": 1}, {"id"');
        setTimeout(() => res.socket?.destroy(), 20);
        return undefined;
      },
    });
    expect((await failure(transmit(get(`${server.url}/items`), TIMEOUTS))).reason).toBe('truncated body');
  });

  test('a chunked body reset halfway: truncated body', async () => {
    const server = await api({
      '/items': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked
        res.write('[{"id": 1}, {"id"');
        setTimeout(() => res.socket?.resetAndDestroy(), 20);
        return undefined;
      },
    });
    expect((await failure(transmit(get(`${server.url}/items`), TIMEOUTS))).reason).toBe('truncated body');
  });

  test('a gzip stream that stops early (whole as HTTP): truncated body', async () => {
    const gz = gzipSync(PAYLOAD);
    const server = await api({
      '/items': () => ({ headers: { 'content-encoding': 'gzip' }, body: gz.subarray(0, gz.length >> 1) }),
    });
    expect((await failure(transmit(get(`${server.url}/items`), TIMEOUTS))).reason).toBe('truncated body');
  });

  test('a body that is not the gzip it claims: corrupt gzip body', async () => {
    const server = await api({
      '/items': () => ({ headers: { 'content-encoding': 'gzip' }, body: PAYLOAD }),
    });
    expect((await failure(transmit(get(`${server.url}/items`), TIMEOUTS))).reason).toBe('corrupt gzip body');
  });
});

describe('redirects', () => {
  test('relative and absolute Locations are followed, headers kept on the same origin', async () => {
    const server = await api({
      '/old': () => ({ status: 302, headers: { location: '/hop?x=1' } }),
      '/hop': (req) => ({
        status: 301,
        headers: { location: `http://127.0.0.1:${portOf(server)}/new?x=${req.query.get('x')}` },
      }),
      '/new': (req) => ({ body: { x: req.query.get('x') } }),
    });
    const response = await transmit(get(`${server.url}/old`, { Authorization: 'Bearer s3cret' }), TIMEOUTS);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ x: '1' });
    expect(server.requests.map((r) => r.path)).toEqual(['/old', '/hop', '/new']);
    expect(server.requestsTo('/new')[0]!.headers.authorization).toBe('Bearer s3cret');
  });

  test(`a loop is followed ${MAX_REDIRECTS} times, then its redirect comes back as the response`, async () => {
    const server = await api({
      '/loop': (req) => ({ status: 302, headers: { location: `/loop?n=${req.nth}` } }),
    });
    const response = await transmit(get(`${server.url}/loop`), TIMEOUTS);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`/loop?n=${MAX_REDIRECTS + 1}`);
    expect(server.requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  test('a reader fails on the loop with the redirect it got, without retrying it', async () => {
    const server = await api({
      '/items': (req) => ({ status: 302, headers: { location: `/items?n=${req.nth}` } }),
    });
    const source = defineSource({
      name: 'loop',
      baseUrl: 'https://x.example',
      streams: { items: { path: '/items' } },
    });
    const error = await rejectionOf(readAll(createReader(source, { baseUrl: server.url }), 'items'));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toMatch(/^HTTP 302 \(not retried\)/);
    expect(server.requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  test('to another origin: credentials stay behind, harmless headers go along', async () => {
    const other = await api({ '/landing': () => ({ body: { ok: true } }) });
    const server = await api({
      '/start': () => ({ status: 307, headers: { location: `${other.url}/landing` } }),
    });
    const response = await transmit(
      get(`${server.url}/start`, {
        Authorization: 'Bearer s3cret',
        'X-Api-Key': 'k3y',
        Cookie: 'session=1',
        'User-Agent': 'tributary/test',
        Accept: 'application/json',
      }),
      TIMEOUTS,
    );
    expect(response.status).toBe(200);
    const landed = other.requests[0]!.headers;
    expect(landed.authorization).toBeUndefined();
    expect(landed['x-api-key']).toBeUndefined();
    expect(landed.cookie).toBeUndefined();
    expect(landed['user-agent']).toBe('tributary/test');
    expect(landed.accept).toBe('application/json');
    expect(server.requests[0]!.headers.authorization).toBe('Bearer s3cret');
  });

  test('303 after a POST is a GET without the body; 307 repeats the POST on the same origin', async () => {
    const server = await api({
      'POST /see-other': () => ({ status: 303, headers: { location: '/result' } }),
      'GET /result': () => ({ body: { ok: true } }),
      'POST /temporary': () => ({ status: 307, headers: { location: '/moved' } }),
      'POST /moved': (req) => ({ body: { got: req.body } }),
    });
    const post = (path: string): HttpRequest => ({
      method: 'POST',
      url: new URL(`${server.url}${path}`),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect((await transmit(post('/see-other'), TIMEOUTS)).status).toBe(200);
    const result = server.requestsTo('/result')[0]!;
    expect(result.method).toBe('GET');
    expect(result.body).toBe('');
    expect(result.headers['content-type']).toBeUndefined();
    const moved = await transmit(post('/temporary'), TIMEOUTS);
    expect(JSON.parse(moved.body.toString())).toEqual({ got: 'a=1' });
  });

  test('a POST body (a client secret) is never sent to another origin: that 307 is returned', async () => {
    const other = await api({ '/token': () => ({ body: { access_token: 'stolen' } }) });
    const server = await api({
      'POST /token': () => ({ status: 307, headers: { location: `${other.url}/token` } }),
    });
    const response = await transmit(
      { method: 'POST', url: new URL(`${server.url}/token`), headers: {}, body: 'client_secret=s3cret' },
      TIMEOUTS,
    );
    expect(response.status).toBe(307);
    expect(other.requests).toHaveLength(0);
  });
});

describe('failures without a response', () => {
  test("the caller's abort mid-body rethrows its reason", async () => {
    const controller = new AbortController();
    const reason = new Error('deadline reached');
    const server = await api({
      '/slow': (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"data": [');
        setTimeout(() => controller.abort(reason), 20);
        return undefined;
      },
    });
    expect(await rejectionOf(transmit(get(`${server.url}/slow`), TIMEOUTS, controller.signal))).toBe(reason);
  });

  test('an already aborted signal sends nothing', async () => {
    const server = await api({ '/items': () => ({ body: PAYLOAD }) });
    const reason = new Error('stopped');
    expect(await rejectionOf(transmit(get(`${server.url}/items`), TIMEOUTS, AbortSignal.abort(reason)))).toBe(
      reason,
    );
    expect(server.requests).toHaveLength(0);
  });

  test('a body slower than the total timeout: timeout after N ms', async () => {
    const server = await api({
      '/slow': (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"data": [');
        return undefined; // never finished
      },
    });
    const error = await failure(transmit(get(`${server.url}/slow`), { connectMs: 2_000, totalMs: 150 }));
    expect(error.reason).toBe('timeout after 150 ms');
  });

  test('nothing listening: ECONNREFUSED', async () => {
    const port = await freePort();
    const error = await failure(transmit(get(`http://127.0.0.1:${port}/items`), TIMEOUTS));
    expect(error.reason).toBe('ECONNREFUSED');
  });

  test('https goes through TLS and verifies the certificate: a self-signed one is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'transport-tls-'));
    const args = '-x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout key.pem -out cert.pem';
    execFileSync('openssl', ['req', ...args.split(' ')], { cwd: dir, stdio: 'ignore' });
    const requests: string[] = [];
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        requests.push(req.url ?? '');
        res.end('{}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const error = await failure(transmit(get(`https://127.0.0.1:${port}/items`), TIMEOUTS));
    expect(error.reason).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(requests).toHaveLength(0);
  });
});

function portOf(server: LoopbackApi): string {
  return new URL(server.url).port;
}
