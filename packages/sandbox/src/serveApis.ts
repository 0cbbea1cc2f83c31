/**
 * The sandbox's HTTP server: each request goes to the first API route that matches its method and
 * path, after the source's injected failure, its auth check and the fault plan have had their say.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, readBody, serveLoopback } from '@tributary/testkit';
import type { SandboxApi, SandboxRequest, SandboxResponse, SourceName } from './api.ts';
import type { FaultPlan } from './faults.ts';
import type { ServedLog } from './ServedLog.ts';

/** How a source is made to fail: every request answered 500, or its credentials refused. */
export type FailureMode = 'error' | 'unauthorized';

/** What the server answers from; `failures` and `epoch` change while it runs. */
export interface ApisState {
  apis: Record<SourceName, SandboxApi>;
  faults: FaultPlan;
  log: ServedLog;
  failures: ReadonlyMap<SourceName, FailureMode>;
  /** How many times time was advanced (the fault plan decides per epoch). */
  epoch(): number;
}

/** Starts the server on loopback at `port` (0: any free port). */
export function serveApis(state: ApisState, port: number): Promise<LoopbackServer> {
  return serveLoopback((req, res) => onRequest(state, req, res), { port });
}

async function onRequest(state: ApisState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const received = await readBody(req);
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const request: SandboxRequest = {
    method: req.method ?? 'GET',
    url,
    match: [] as unknown as RegExpMatchArray,
    headers: req.headers,
    body: received.toString('utf8'),
  };
  const found = route(state, request, url.pathname.replace(/\/+$/, ''));
  const response = found?.response ?? {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: { message: `sandbox: no API answers ${request.method} ${url.pathname}` },
  };
  const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function route(
  state: ApisState,
  request: SandboxRequest,
  path: string,
): { api: SandboxApi; response: SandboxResponse } | undefined {
  const { apis, faults, log, failures } = state;
  for (const api of Object.values(apis)) {
    for (const r of api.routes) {
      if (r.method !== request.method) continue;
      const match = r.pattern.exec(path);
      if (!match) continue;
      request.match = match;
      log.request(api.name);
      const failure = failures.get(api.name);
      if (failure) {
        log.error(api.name);
        return { api, response: failure === 'error' ? api.serverError() : api.unauthorized() };
      }
      if (!r.public) {
        const refused = api.authorize(request);
        if (refused) {
          log.error(api.name);
          return { api, response: refused };
        }
      }
      const fault = r.noFaults
        ? undefined
        : faults.decide(state.epoch(), request.method, request.url.pathname + request.url.search);
      if (fault) {
        log.fault(api.name);
        return {
          api,
          response: fault === 'rateLimited' ? api.rateLimited(faults.retryAfterSeconds) : api.unavailable(),
        };
      }
      const result = r.handle(request);
      if (result.served && result.status === 200)
        log.page(api.name, result.served.stream, result.served.keys);
      return { api, response: result };
    }
  }
  return undefined;
}
