/**
 * What a source's API double (`functions/<source>/double/`) builds on: the sandbox's contract of an
 * API (routes, credentials, refusals, data moving on), its seeded randomness and date formats, and
 * `serveDouble`, which serves a double's routes as a @tributary/testkit `ApiRoute` so the source's
 * own tests run against the very double the sandbox mounts for the demo.
 */
import type { ApiReply, ApiRequest, ApiRoute } from '@tributary/testkit';
import type { Route, SandboxApi, SandboxRequest } from './api.ts';

export {
  intParam,
  json,
  type Route,
  type RouteResult,
  type SandboxApi,
  type SandboxApiContext,
  type SandboxApiDouble,
  type SandboxRequest,
  type SandboxResponse,
  type ServedBatch,
} from './api.ts';
export { CITIES, FIRST_NAMES, hash32, LAST_NAMES, Rng, unit } from './random.ts';
export { floating, isoMillis, isoSeconds, parseDate, Timeline, unixSeconds } from './time.ts';

/**
 * The sources the sandbox speaks, by name, each with the credentials (the JSON of its secret
 * `api-credentials/<source>`) its API accepts. Empty here: each source's double declares itself,
 * `declare module '@tributary/sandbox/double' { interface SandboxSources { github: { token: string } } }`,
 * so `SourceName` is the union of the doubles' names.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by each source's double.
export interface SandboxSources {}

/** The part of an API a test serves: its routes and how it checks credentials. */
export type ServedDouble = Pick<SandboxApi, 'routes' | 'authorize'>;

function find(api: ServedDouble, request: SandboxRequest, path: string): Route | undefined {
  for (const route of api.routes) {
    if (route.method !== request.method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    request.match = match;
    return route;
  }
  return undefined;
}

/**
 * A double's routes as a loopback route (`startApi(serveDouble(api))`): matched and authorized as
 * the sandbox does (a non-public route goes through `authorize` first), without the sandbox's
 * fault plan; a path no route answers is a 404.
 */
export function serveDouble(api: ServedDouble): ApiRoute {
  return (req: ApiRequest): ApiReply => {
    const url = new URL(
      `${req.path}${req.query.size > 0 ? `?${req.query}` : ''}`,
      `http://${req.headers.host ?? '127.0.0.1'}`,
    );
    const request: SandboxRequest = {
      method: req.method,
      url,
      match: [] as unknown as RegExpMatchArray,
      headers: req.headers,
      body: req.body,
    };
    const route = find(api, request, req.path.replace(/\/+$/, ''));
    if (!route)
      return { status: 404, body: { message: `double: no route answers ${req.method} ${req.path}` } };
    const response = (!route.public && api.authorize(request)) || route.handle(request);
    return { status: response.status, headers: response.headers ?? {}, body: response.body };
  };
}
