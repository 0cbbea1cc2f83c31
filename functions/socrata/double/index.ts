/**
 * The one Socrata (SODA 2.1) double, as dev.socrata.com documents the API the socrata source calls,
 * used by this source's tests (`socrataRoute`, on loopback) and by the sandbox (`createSocrataApi`,
 * in the demo and the local stack):
 * - `/resource/<4x4>.json` answering a JSON array, with `$select`, `$where`, `$order`, `$limit`,
 *   `$offset`; the system fields `:id`, `:version`, `:created_at`, `:updated_at` only when selected
 *   (`$select=:*, *`); numbers as strings, floating timestamps (no zone) compared as UTC in `$where`;
 * - `X-SODA2-Fields`/`X-SODA2-Types`/`X-Socrata-RequestId`/`Last-Modified` headers;
 * - an optional app token (`X-App-Token` or `$$app_token`): a wrong one is a 403;
 * - a SoQL error `400 { code: 'query.compiler.malformed', error: true, message, data }` for a query
 *   it cannot parse; `404 not_found` for an unknown dataset; 429 (with `Retry-After`) when
 *   throttled; `202 Request Processing` while a page is not ready.
 */
import {
  floating,
  hash32,
  isoMillis,
  json,
  parseDate,
  Rng,
  type RouteResult,
  type SandboxApi,
  type SandboxApiDouble,
  type SandboxRequest,
  serveDouble,
  Timeline,
} from '@tributary/sandbox/double';
import type { ApiRoute } from '@tributary/testkit';

type Json = Record<string, unknown>;

export interface SocrataFaults {
  /** Answer the n-th request (1-based) to these dataset ids with a 429. */
  throttleOn: Map<string, number>;
  /** Dataset ids whose queries are answered with a SoQL error. */
  malformedOn: Set<string>;
  /**
   * `202 Request Processing` ("you can retry your request, and when it's complete, you'll get a 200
   * instead", SODA response codes) for the page at `offset` of a dataset, the next `times` times it
   * is asked for (`Infinity`: never ready). The page does not document a body; this one answers `[]`,
   * the body that, taken as data, would end a walk early.
   */
  processingOn?: Map<string, { offset: number; times: number }>;
}

export interface SocrataDoubleOptions {
  /** Rows by dataset id; the double reads them on every request, so a test may add rows. */
  datasets: Map<string, Json[]>;
  /** The app token it accepts; `undefined`: any token is wrong, none is fine. */
  appToken: string | undefined;
  faults?: SocrataFaults;
  /** The stream a dataset id is landed as, for the sandbox's served report. @default the id */
  streamOf?: (id: string) => string;
  /**
   * Refuse, as a SoQL error, a query without what the socrata source must send for a walk to be
   * whole (`$select=:*, *`, `$order=:id`): the source's tests ask for it; the sandbox does not.
   * @default false
   */
  strict?: boolean;
}

/** The type SODA names in `X-SODA2-Types` for a field's value. */
function sodaType(key: string, value: unknown): string {
  if (key.startsWith(':')) return 'meta_data';
  if (typeof value === 'object' && value !== null) return 'type' in value ? 'point' : 'location';
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(value))
    return 'floating_timestamp';
  return 'text';
}

function soqlError(message: string, data: Json = {}): RouteResult {
  return json(400, { code: 'query.compiler.malformed', error: true, message, data });
}

/** `$where` as the source sends it: comparisons of a column with a quoted literal, joined by AND. */
function where(clause: string): ((r: Json) => boolean) | RouteResult {
  const tests: Array<(r: Json) => boolean> = [];
  for (const part of clause.split(/\s+AND\s+/i)) {
    const m = /^\s*\(?\s*(:?[a-z_][a-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*'([^']*)'\s*\)?\s*$/i.exec(part);
    if (!m) return soqlError(`Could not parse SoQL query "${clause}"`, { query: clause });
    const [, column, op, literal] = m as unknown as [string, string, string, string];
    const isDate = column.startsWith(':') && column.endsWith('_at');
    const asDate = isDate ? parseDate(literal) : undefined;
    if (isDate && asDate === undefined) {
      return soqlError(`Invalid timestamp literal '${literal}' for column ${column}`, { query: clause });
    }
    tests.push((r) => {
      const value = r[column];
      if (value === undefined) return false;
      const a = asDate === undefined ? String(value) : (parseDate(String(value)) ?? 0);
      const b = asDate ?? literal;
      if (op === '>') return a > b;
      if (op === '>=') return a >= b;
      if (op === '<') return a < b;
      if (op === '<=') return a <= b;
      return op === '=' ? a === b : a !== b;
    });
  }
  return (r) => tests.every((t) => t(r));
}

function select(clause: string | null): ((r: Json) => Json) | RouteResult {
  const parts = (clause ?? '*').split(',').map((s) => s.trim());
  const system = parts.includes(':*');
  const all = parts.includes('*');
  const named = parts.filter((p) => p !== '*' && p !== ':*');
  for (const n of named)
    if (!/^:?[a-z_][a-z0-9_]*$/i.test(n)) return soqlError(`Invalid $select "${clause}"`);
  return (r) => {
    const out: Json = {};
    for (const [k, v] of Object.entries(r)) {
      if (v === undefined) continue;
      const isSystem = k.startsWith(':');
      if ((isSystem && system) || (!isSystem && all) || named.includes(k)) out[k] = v;
    }
    return out;
  };
}

function order(clause: string): ((a: Json, b: Json) => number) | RouteResult {
  const m = /^(:?[a-z_][a-z0-9_]*)(?:\s+(ASC|DESC))?$/i.exec(clause.trim());
  if (!m) return soqlError(`Invalid $order "${clause}"`);
  const column = m[1] as string;
  const sign = m[2]?.toUpperCase() === 'DESC' ? -1 : 1;
  return (a, b) => {
    const x = String(a[column] ?? '');
    const y = String(b[column] ?? '');
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  };
}

/** The double's protocol over `options.datasets`: routes, auth and refusals, no data of its own. */
export function socrataDouble(
  options: SocrataDoubleOptions,
): Omit<SandboxApi, 'advance' | 'records' | 'streams'> {
  const { datasets, faults } = options;
  const hits = new Map<string, number>();
  let seq = 0;
  const headers = (rows: Json[]): Record<string, string> => {
    const first = rows[0] ?? {};
    return {
      'x-socrata-requestid': `double${(++seq).toString(16)}`,
      'x-soda2-fields': JSON.stringify(Object.keys(first)),
      'x-soda2-types': JSON.stringify(Object.entries(first).map(([k, v]) => sodaType(k, v))),
      'x-soda2-legacy-types': 'false',
      'last-modified': new Date().toUTCString(),
    };
  };
  const withHeaders = (result: RouteResult, rows: Json[]): RouteResult => ({
    ...result,
    headers: { ...result.headers, ...headers(rows) },
  });
  const rateLimited = (retryAfter: number) =>
    json(
      429,
      { code: 'too_many_requests', error: true, message: 'Too many requests' },
      { 'retry-after': String(retryAfter) },
    );

  function query(request: SandboxRequest): RouteResult {
    const id = request.match[1] as string;
    const rows = datasets.get(id);
    if (!rows) {
      return json(404, { code: 'not_found', error: true, message: `Dataset ${id} not found`, data: {} });
    }
    const n = (hits.get(id) ?? 0) + 1;
    hits.set(id, n);
    if (faults?.throttleOn.get(id) === n) return withHeaders(rateLimited(1), rows);
    const q = request.url.searchParams;
    const refused = refusal(id, q);
    if (refused) return withHeaders(refused, rows);
    const limit = Math.min(Number(q.get('$limit') ?? 1000), 50_000);
    const offset = Number(q.get('$offset') ?? 0);
    const processing = faults?.processingOn?.get(id);
    if (processing && processing.offset === offset && processing.times > 0) {
      processing.times--;
      return withHeaders(json(202, []), rows);
    }
    const filter = q.get('$where') === null ? () => true : where(q.get('$where') as string);
    const project = select(q.get('$select'));
    const sort = order(q.get('$order') ?? ':id');
    for (const step of [filter, project, sort])
      if (typeof step !== 'function') return withHeaders(step, rows);
    const page = rows
      .filter(filter as (r: Json) => boolean)
      .sort(sort as (a: Json, b: Json) => number)
      .slice(offset, offset + limit);
    return {
      ...withHeaders(json(200, page.map(project as (r: Json) => Json)), rows),
      served: { stream: options.streamOf?.(id) ?? id, keys: page.map((r) => r[':id'] as string) },
    };
  }

  function refusal(id: string, q: URLSearchParams): RouteResult | undefined {
    if (faults?.malformedOn.has(id)) {
      return soqlError('No such column: complaint_typo; position: Map(row -> 1, column -> 8)', {
        query: q.toString(),
      });
    }
    for (const name of ['$limit', '$offset']) {
      const raw = q.get(name);
      if (raw !== null && !/^\d+$/.test(raw))
        return soqlError('$limit and $offset must be non-negative integers');
    }
    if (!options.strict) return undefined;
    if (q.get('$select')?.replace(/\s/g, '') !== ':*,*')
      return soqlError('system fields not selected', { query: q.toString() });
    if (q.get('$order') !== ':id') return soqlError('unstable order for paging', { query: q.toString() });
    return undefined;
  }

  return {
    name: 'socrata',
    routes: [{ method: 'GET', pattern: /\/resource\/([a-z0-9]{4}-[a-z0-9]{4})\.json$/, handle: query }],
    authorize(request) {
      const token = request.headers['x-app-token'] ?? request.url.searchParams.get('$$app_token');
      if (token === undefined || token === null || token === options.appToken) return undefined;
      return this.unauthorized();
    },
    unauthorized: () =>
      json(403, { code: 'invalid_app_token', error: true, message: 'Invalid app_token specified', data: {} }),
    rateLimited,
    unavailable: () =>
      json(503, { code: 'service_unavailable', error: true, message: 'Service Unavailable' }),
    serverError: () => json(500, { code: 'internal_error', error: true, message: 'Internal error' }),
  };
}

// ---- the source's tests: fixed rows, faults on demand, the source's query required ----

const T0 = Date.parse('2026-11-01T00:00:00Z');

export function makeRow(datasetId: string, i: number, updatedAt = T0 + i * 1000): Json {
  return {
    ':id': `row-${datasetId.replace('-', '')}_${i.toString(36).padStart(4, '0')}_${(i * 7919).toString(36).slice(-4).padStart(4, 'x')}`,
    ':version': `rv-${i.toString(36)}`,
    ':created_at': new Date(T0 - 86_400_000).toISOString(),
    ':updated_at': new Date(updatedAt).toISOString(),
    unique_key: String(50_000_000 + i),
    created_date: new Date(T0 - 86_400_000 + i * 1000).toISOString().slice(0, -1), // floating
    complaint_type: ['Noise - Residential', 'HEAT/HOT WATER', 'Illegal Parking'][i % 3],
    borough: ['BROOKLYN', 'QUEENS', 'MANHATTAN', 'BRONX'][i % 4],
    location: { type: 'Point', coordinates: [-73.9 - i / 1e5, 40.7 + i / 1e5] },
  };
}

/** The double as a loopback route for the source's tests: `startApi(socrataRoute(…))`. */
export function socrataRoute(
  datasets: Map<string, Json[]>,
  appToken: string | undefined,
  faults: SocrataFaults,
): ApiRoute {
  return serveDouble(socrataDouble({ datasets, appToken, faults, strict: true }));
}

// ---- the sandbox: generated rows that move on with time ----

export interface SocrataOptions {
  seed: number;
  timeline: Timeline;
  appToken: string;
  /** Datasets served, as the source lists them: `xxxx-xxxx` or `name=xxxx-xxxx`; others get a 404. */
  datasets: string[];
  /** Rows per dataset at start. */
  records: number;
}

/** The stream name the socrata source gives a dataset entry: its name, else `dataset_<id with _>`. */
export function socrataStreamName(entry: string): string {
  const [name, id] = entry.includes('=') ? (entry.split('=') as [string, string]) : [undefined, entry];
  return name ?? `dataset_${id.replace(/-/g, '_')}`;
}

function datasetId(entry: string): string {
  return entry.includes('=') ? (entry.split('=')[1] as string) : entry;
}

const BOROUGHS = ['MANHATTAN', 'BROOKLYN', 'QUEENS', 'BRONX', 'STATEN ISLAND'] as const;
const COMPLAINTS = [
  ['Noise - Residential', 'Loud Music/Party'],
  ['HEAT/HOT WATER', 'ENTIRE BUILDING'],
  ['Illegal Parking', 'Blocked Hydrant'],
  ['Street Condition', 'Pothole'],
  ['Water System', 'Hydrant Running'],
] as const;

function generatedRow(seed: number, datasetId: string, rng: Rng, index: number, at: number): Json {
  const [complaint, descriptor] = rng.pick(COMPLAINTS);
  const lat = 40.5 + rng.float() * 0.4;
  const lon = -74.2 + rng.float() * 0.5;
  const closed = rng.bool(0.6);
  return {
    ':id': `row-${datasetId.slice(0, 4)}~${String(index).padStart(6, '0')}~${rng.alnum(4).toLowerCase()}`,
    ':created_at': isoMillis(at),
    ':updated_at': isoMillis(at),
    ':version': `rv-${rng.alnum(4).toLowerCase()}~${rng.alnum(4).toLowerCase()}`,
    unique_key: String(50_000_000 + (hash32(seed, datasetId) % 1000) * 100_000 + index),
    created_date: floating(at),
    closed_date: closed ? floating(at + rng.int(1, 72) * 3_600_000) : undefined,
    agency: rng.pick(['NYPD', 'HPD', 'DOT', 'DEP']),
    complaint_type: complaint,
    descriptor,
    status: closed ? 'Closed' : rng.pick(['Open', 'In Progress']),
    incident_zip: String(rng.int(10001, 11697)),
    borough: rng.pick(BOROUGHS),
    latitude: lat.toFixed(8),
    longitude: lon.toFixed(8),
    location: {
      latitude: lat.toFixed(8),
      longitude: lon.toFixed(8),
      human_address: JSON.stringify({ address: '', city: '', state: 'NY', zip: '' }),
    },
    community_board: `${String(rng.int(1, 18)).padStart(2, '0')} ${rng.pick(BOROUGHS)}`,
  };
}

/** Updates 5 % of a dataset's rows (closed, `:updated_at` now) and adds 3 % new ones. */
function advanceRows(seed: number, id: string, rows: Json[], now: number, epoch: number): void {
  const rng = new Rng(seed, `socrata:${id}:advance:${epoch}`);
  const touched = rng.sample(rows, Math.max(1, Math.round(rows.length * 0.05)));
  const added = Math.max(1, Math.round(rows.length * 0.03));
  const total = touched.length + added;
  let i = 0;
  for (const r of touched) {
    const at = Timeline.change(now, i++, total);
    rows[rows.indexOf(r)] = {
      ...r,
      status: 'Closed',
      closed_date: floating(at),
      ':updated_at': isoMillis(at),
    };
  }
  for (let n = 0; n < added; n++) {
    const at = Timeline.change(now, i++, total);
    rows.push(generatedRow(seed, id, new Rng(seed, `socrata:${id}:${epoch}:${n}`), rows.length, at));
  }
}

export function createSocrataApi(options: SocrataOptions): SandboxApi {
  const { seed, timeline } = options;
  const datasets = new Map<string, Json[]>();
  const streamOf = new Map(options.datasets.map((entry) => [datasetId(entry), socrataStreamName(entry)]));
  for (const id of options.datasets.map(datasetId)) {
    const rows: Json[] = [];
    for (let i = 0; i < options.records; i++) {
      const at = timeline.initial(i, options.records);
      rows.push(generatedRow(seed, id, new Rng(seed, `socrata:${id}:${i}`), i, at));
    }
    datasets.set(id, rows);
  }
  return {
    ...socrataDouble({ datasets, appToken: options.appToken, streamOf: (id) => streamOf.get(id) as string }),
    advance(now, epoch) {
      for (const [id, rows] of datasets) advanceRows(seed, id, rows, now, epoch);
    },
    records: (stream) => {
      for (const [id, rows] of datasets) if (streamOf.get(id) === stream) return [...rows];
      return [];
    },
    streams: () => [...datasets.keys()].map((id) => streamOf.get(id) as string),
  };
}

declare module '@tributary/sandbox/double' {
  interface SandboxSources {
    socrata: { app_token: string };
  }
}

/** This double in the sandbox: the datasets of the `socrataDatasets` option. */
export const sandboxApi: SandboxApiDouble<'socrata'> = {
  name: 'socrata',
  credentials: { app_token: 'sandboxAppToken00000000000' },
  create: ({ seed, timeline, records, credentials, options }) =>
    createSocrataApi({
      seed,
      timeline,
      appToken: credentials.app_token,
      datasets: options.socrataDatasets,
      records,
    }),
  env: (_url, options) => ({
    SOCRATA_DOMAIN: 'data.cityofnewyork.us',
    SOCRATA_DATASETS: options.socrataDatasets.join(','),
  }),
};
