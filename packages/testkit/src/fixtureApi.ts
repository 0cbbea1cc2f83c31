/**
 * A fixture API on loopback (node:http): one function answers every request the way the real API
 * documents it (status, headers, JSON body); every request is recorded — method, path, query,
 * headers, body — so a test asserts what was sent, not only what landed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { readBody, serveLoopback } from './loopbackServer.ts';

export interface FixtureRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FixtureResponse {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless a string. */
  body?: unknown;
}

export type FixtureRoute = (
  req: FixtureRequest,
  api: FixtureApi,
) => FixtureResponse | Promise<FixtureResponse>;

export interface FixtureApi {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: FixtureRequest[];
  /** Requests whose path matches. */
  requestsTo(path: string | RegExp): FixtureRequest[];
  close(): Promise<void>;
}

export async function startFixtureApi(route: FixtureRoute): Promise<FixtureApi> {
  const requests: FixtureRequest[] = [];
  let api: FixtureApi;
  const server = await serveLoopback(async (req, res) => {
    const body = (await readBody(req)).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: FixtureRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    requests.push(recorded);
    try {
      const out = await route(recorded, api);
      const text = typeof out.body === 'string' ? out.body : JSON.stringify(out.body ?? null);
      res.writeHead(out.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...out.headers });
      res.end(text);
    } catch (error) {
      res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`fixture route failed: ${(error as Error).message}`);
    }
  });
  api = {
    url: server.url,
    requests,
    requestsTo: (path) =>
      requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path))),
    close: server.close,
  };
  return api;
}
