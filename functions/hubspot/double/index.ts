/**
 * The one HubSpot CRM search double, as HubSpot documents the API the hubspot source calls (the
 * pages are cited in ../README.md, with what is reproduced and what is not), used by this source's
 * tests (`hubspotRoute`, on loopback) and by the sandbox (`sandboxApi`, at the end):
 * - `POST /crm/v3/objects/{contacts|deals}/search` with a private app token (`Authorization:
 *   Bearer …`): the body's `filterGroups`, one `sorts` rule, `properties`, `limit` (≤ 200) and
 *   `after` (search.ts), answering `{ total, results: [{ id, properties, createdAt, updatedAt,
 *   archived }], paging: { next: { after, link } } }`, property values as strings;
 * - at most 10,000 results per query: paging past them is a `400`;
 * - the search limit (5 requests per second per account): a `429` with HubSpot's rate-limit body
 *   (`errorType: 'RATE_LIMIT'`, `policyName`); the `X-HubSpot-RateLimit-*` headers on every answer;
 * - `401` with HubSpot's error body (`category: 'INVALID_AUTHENTICATION'`) for a missing or wrong token.
 */
import {
  json,
  type RouteResult,
  type SandboxApi,
  type SandboxApiDouble,
  type SandboxRequest,
  type ServedDouble,
  serveDouble,
  type Timeline,
} from '@tributary/sandbox/double';
import type { ApiRoute } from '@tributary/testkit';
import { createHubspotObjects } from './data.ts';
import { type CrmObject, MAX_RESULTS, parseSearch } from './search.ts';

export type { CrmObject } from './search.ts';
export { MAX_LIMIT, MAX_RESULTS } from './search.ts';

export const OBJECT_TYPES = ['contacts', 'deals'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** The property each object type keeps its last-modified time in (the search guide's default properties). */
export const MODIFIED: Record<ObjectType, string> = {
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/** What a search returns when the body names no `properties` (search guide, "Searchable CRM objects"). */
export const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: [
    'dealname',
    'amount',
    'closedate',
    'pipeline',
    'dealstage',
    'createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
  ],
};

/** "The search endpoints are rate limited to five requests per second per account" (search guide, Limitations). */
export const SEARCH_REQUESTS_PER_SECOND = 5;

/** A private app's limits in a Free/Starter account (usage guidelines): the values of the headers. */
const DAILY = 250_000;
const BURST = { intervalMs: 10_000, max: 100 };

export interface HubspotFaults {
  /** Answer the n-th search (1-based) of an object type with the search limit's 429. */
  throttleOn?: Map<ObjectType, number>;
  /** Answer the n-th search (1-based) of an object type with a 500. */
  failOn?: Map<ObjectType, number>;
}

export interface HubspotDoubleOptions {
  /** Objects by type; read on every request, so a test may add or change some. */
  objects: Map<ObjectType, CrmObject[]>;
  /** The private app token it accepts. */
  token: string;
  faults?: HubspotFaults;
  /** Searches allowed per rolling second and token. @default SEARCH_REQUESTS_PER_SECOND */
  searchesPerSecond?: number;
  /** The clock the limits count by. @default Date.now */
  now?: () => number;
  /**
   * Send the `X-HubSpot-RateLimit-*` headers the usage guidelines list on every answer. `false`: none,
   * as a HubSpot community report says search answers come (only `X-HubSpot-Correlation-Id`). @default true
   */
  rateLimitHeaders?: boolean;
}

/** The double's protocol: its routes, how it checks the token, and how it says no. */
export interface HubspotApi extends ServedDouble {
  readonly name: 'hubspot';
  unauthorized(): RouteResult;
  rateLimited(retryAfterSeconds?: number): RouteResult;
  unavailable(): RouteResult;
  serverError(): RouteResult;
  /** Searches received per object type (throttled ones included). */
  searches(type: ObjectType): number;
}

/** HubSpot's error body (error-responses page): `status`, `message`, `correlationId`, `category`. */
function errorBody(status: number, category: string, message: string, correlationId: string): RouteResult {
  return json(
    status,
    { status: 'error', message, correlationId, category },
    { 'x-hubspot-correlation-id': correlationId },
  );
}

function project(object: CrmObject, properties: string[], known: Set<string>): CrmObject {
  const out: Record<string, string | null> = {};
  for (const name of properties) {
    // A property the object type has comes back, null when unset; a name it does not have is left out.
    if (known.has(name) || name in object.properties) out[name] = object.properties[name] ?? null;
  }
  return { ...object, properties: out };
}

export function hubspotDouble(options: HubspotDoubleOptions): HubspotApi {
  const now = options.now ?? Date.now;
  const perSecond = options.searchesPerSecond ?? SEARCH_REQUESTS_PER_SECOND;
  const counts = new Map<ObjectType, number>();
  const accepted: number[] = [];
  let daily = 0;
  let seq = 0;
  const correlationId = () => `0d0b1e5e-0000-4000-8000-${(++seq).toString(16).padStart(12, '0')}`;

  function rateLimitHeaders(at: number): Record<string, string> {
    if (options.rateLimitHeaders === false) return {};
    const inBurst = accepted.filter((t) => t > at - BURST.intervalMs).length;
    const inSecond = accepted.filter((t) => t > at - 1000).length;
    return {
      'x-hubspot-ratelimit-daily': String(DAILY),
      'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, DAILY - daily)),
      'x-hubspot-ratelimit-interval-milliseconds': String(BURST.intervalMs),
      'x-hubspot-ratelimit-max': String(BURST.max),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, BURST.max - inBurst)),
      'x-hubspot-ratelimit-secondly': String(BURST.max / 10),
      'x-hubspot-ratelimit-secondly-remaining': String(Math.max(0, BURST.max / 10 - inSecond)),
    };
  }

  const rateLimited = (): RouteResult => {
    const id = correlationId();
    return json(
      429,
      {
        status: 'error',
        message: 'You have reached your secondly limit.',
        errorType: 'RATE_LIMIT',
        correlationId: id,
        policyName: 'SECONDLY',
      },
      { 'x-hubspot-correlation-id': id },
    );
  };

  function search(request: SandboxRequest): RouteResult {
    const type = request.match[1] as ObjectType;
    const n = (counts.get(type) ?? 0) + 1;
    counts.set(type, n);
    const at = now();
    while (accepted.length > 0 && (accepted[0] as number) <= at - BURST.intervalMs) accepted.shift();
    const withHeaders = (r: RouteResult): RouteResult => ({
      ...r,
      headers: { ...r.headers, ...rateLimitHeaders(at) },
    });
    const inSecond = accepted.filter((t) => t > at - 1000).length;
    if (options.faults?.throttleOn?.get(type) === n || inSecond >= perSecond)
      return withHeaders(rateLimited());
    accepted.push(at);
    daily++;
    if (options.faults?.failOn?.get(type) === n) return withHeaders(api.serverError());
    return withHeaders(answer(type, request.body));
  }

  function answer(type: ObjectType, body: string): RouteResult {
    const query = parseSearch(body);
    if ('refused' in query) return errorBody(400, 'VALIDATION_ERROR', query.refused, correlationId());
    if (query.offset >= MAX_RESULTS) {
      return errorBody(
        400,
        'VALIDATION_ERROR',
        `Paging past ${MAX_RESULTS} results is not supported (after=${query.offset}); narrow the search's filters`,
        correlationId(),
      );
    }
    const all = (options.objects.get(type) ?? []).filter(query.matches).sort(query.compare);
    const end = Math.min(query.offset + query.limit, all.length, MAX_RESULTS);
    const page = all.slice(query.offset, end);
    const known = new Set(DEFAULT_PROPERTIES[type]);
    const properties = query.properties ?? DEFAULT_PROPERTIES[type];
    const next =
      page.length > 0 && end < all.length ? { next: { after: String(end), link: `?after=${end}` } } : {};
    const id = correlationId();
    return {
      ...json(
        200,
        {
          total: all.length,
          results: page.map((o) => project(o, properties, known)),
          ...(Object.keys(next).length ? { paging: next } : {}),
        },
        { 'x-hubspot-correlation-id': id },
      ),
      served: { stream: type, keys: page.map((o) => o.id) },
    };
  }

  const api: HubspotApi = {
    name: 'hubspot',
    routes: [{ method: 'POST', pattern: /\/crm\/v3\/objects\/(contacts|deals)\/search$/, handle: search }],
    authorize(request) {
      const header = request.headers.authorization;
      return header === `Bearer ${options.token}` ? undefined : api.unauthorized();
    },
    unauthorized: () =>
      errorBody(
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        correlationId(),
      ),
    rateLimited,
    unavailable: () => errorBody(503, 'SERVICE_UNAVAILABLE', 'Service Unavailable', correlationId()),
    serverError: () => errorBody(500, 'INTERNAL_ERROR', 'internal error', correlationId()),
    searches: (type) => counts.get(type) ?? 0,
  };
  return api;
}

/** The double as a loopback route for the source's tests: `startApi(hubspotRoute(…))`. */
export function hubspotRoute(options: HubspotDoubleOptions): ApiRoute {
  return serveDouble(hubspotDouble(options));
}

export { createHubspotObjects, makeContact, makeDeal } from './data.ts';

// ---- the sandbox: seeded objects that move on with time ----

declare module '@tributary/sandbox/double' {
  interface SandboxSources {
    hubspot: { private_app_token: string };
  }
}

export interface HubspotApiOptions {
  seed: number;
  timeline: Timeline;
  /** The private app token it accepts. */
  token: string;
  /** Objects per type at start. */
  records: number;
}

/** Seeded contacts and deals over the timeline; `advance` modifies some and adds new ones. */
export function createHubspotApi(options: HubspotApiOptions): SandboxApi {
  const { objects, advance } = createHubspotObjects(options);
  return {
    // The sandbox's fault plan throttles (and the e2e tests count its 429s as the only retries):
    // the search limit itself is held to in this source's own tests.
    ...hubspotDouble({ objects, token: options.token, searchesPerSecond: Number.POSITIVE_INFINITY }),
    advance,
    records: (stream) => [...(objects.get(stream as ObjectType) ?? [])],
    streams: () => [...OBJECT_TYPES],
  };
}

/** This double in the sandbox (found by @tributary/sandbox): contacts and deals, `records` of each. */
export const sandboxApi: SandboxApiDouble<'hubspot'> = {
  name: 'hubspot',
  credentials: { private_app_token: 'pat-na1-5a4db0c8-0000-4000-8000-000000000000' },
  create: ({ seed, timeline, records, credentials }) =>
    createHubspotApi({ seed, timeline, records, token: credentials.private_app_token }),
};
