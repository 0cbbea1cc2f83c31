/**
 * A fixture API on loopback (node:http): one function answers every request the way the real API
 * documents it (status, headers, JSON body); every request is recorded — method, path, query,
 * headers, body — so a test asserts what was sent, not only what landed.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: FixtureRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      try {
        const out = await route(recorded, api);
        const body = typeof out.body === 'string' ? out.body : JSON.stringify(out.body ?? null);
        res.writeHead(out.status ?? 200, {
          'content-type': 'application/json; charset=utf-8',
          ...out.headers,
        });
        res.end(body);
      } catch (error) {
        res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`fixture route failed: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  api = {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (path) =>
      requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path))),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
  return api;
}
