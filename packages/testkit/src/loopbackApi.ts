/**
 * A loopback HTTP API for tests of the HTTP layer: routes by path (`'/items'` or `'GET /items'`),
 * each answering with a reply (`{ status, headers, body }`, JSON unless a string or Buffer, gzip on
 * request) or taking the raw response in hand (slow bodies, resets, truncation). Every request is
 * recorded — method, path, query, headers, body, arrival time — so tests assert what was sent and
 * when (gaps measured by the server).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { readBody, serveLoopback } from './loopbackServer.ts';

export interface ApiRequest {
  method: string;
  /** Path without the query string, percent-decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Arrival, ms on the server's monotonic clock (`performance.now()`). */
  at: number;
  /** 1-based count of requests to this path so far. */
  nth: number;
}

export interface ApiReply {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  /** JSON-serialized unless a string or Buffer. */
  body?: unknown;
  /** Compress with gzip and say so. @default false */
  gzip?: boolean;
}

export type ApiRoute = (
  req: ApiRequest,
  res: ServerResponse,
  raw: IncomingMessage,
) => ApiReply | undefined | Promise<ApiReply | undefined>;

export interface LoopbackApi {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: ApiRequest[];
  requestsTo(path: string): ApiRequest[];
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: ApiReply): void {
  let body: Buffer;
  const headers: Record<string, string> = { ...reply.headers };
  if (Buffer.isBuffer(reply.body)) body = reply.body;
  else if (typeof reply.body === 'string') body = Buffer.from(reply.body);
  else {
    body = Buffer.from(reply.body === undefined ? '' : JSON.stringify(reply.body));
    if (reply.body !== undefined) headers['content-type'] ??= 'application/json';
  }
  if (reply.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

export async function startApi(routes: Record<string, ApiRoute> | ApiRoute): Promise<LoopbackApi> {
  const requests: ApiRequest[] = [];
  const counts = new Map<string, number>();
  const find = (method: string, path: string): ApiRoute | undefined => {
    if (typeof routes === 'function') return routes;
    return routes[`${method} ${path}`] ?? routes[path];
  };
  const server = await serveLoopback(async (raw, res) => {
    const at = performance.now();
    const body = (await readBody(raw)).toString('utf8');
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    const nth = (counts.get(path) ?? 0) + 1;
    counts.set(path, nth);
    const req: ApiRequest = {
      method: raw.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: raw.headers,
      body,
      at,
      nth,
    };
    requests.push(req);
    const route = find(req.method, path);
    try {
      if (!route) {
        send(res, { status: 404, body: { message: `no route for ${req.method} ${path}` } });
        return;
      }
      const reply = await route(req, res, raw);
      if (reply) send(res, reply);
    } catch (error) {
      if (!res.headersSent) send(res, { status: 500, body: { message: String(error) } });
    }
  });
  return {
    url: server.url,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    close: server.close,
  };
}
