/**
 * A Socrata (SODA 2.1) portal, as the socrata source calls it: `/resource/<4x4>.json` with
 * `$select`, `$where`, `$order`, `$limit`, `$offset`; system fields (`:id`, `:created_at`,
 * `:updated_at`) only when selected (`$select=:*, *`); numbers as strings, floating timestamps;
 * an optional `X-App-Token` (a wrong one is refused).
 */
import { json, type Route, type RouteResult, type SandboxApi, type SandboxRequest } from '../api.ts';
import { hash32, Rng } from '../random.ts';
import { floating, isoMillis, parseDate, Timeline } from '../time.ts';

export interface SocrataOptions {
  seed: number;
  timeline: Timeline;
  appToken: string;
  /** Datasets served, as the source lists them: `xxxx-xxxx` or `name=xxxx-xxxx`; others get a 404. */
  datasets: string[];
  /** Rows per dataset at start. */
  records: number;
}

type Json = Record<string, unknown>;

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

export function createSocrataApi(options: SocrataOptions): SandboxApi {
  const { seed, timeline } = options;
  const datasets = new Map<string, Json[]>();
  const streamOf = new Map(options.datasets.map((entry) => [datasetId(entry), socrataStreamName(entry)]));

  function row(datasetId: string, rng: Rng, index: number, at: number): Json {
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

  for (const id of options.datasets.map(datasetId)) {
    const rows: Json[] = [];
    for (let i = 0; i < options.records; i++) {
      rows.push(row(id, new Rng(seed, `socrata:${id}:${i}`), i, timeline.initial(i, options.records)));
    }
    datasets.set(id, rows);
  }

  function soqlError(message: string): RouteResult {
    return json(400, { code: 'query.compiler.malformed', error: true, message, data: {} });
  }

  /** `$where` as the source sends it: comparisons of a column with a quoted literal, joined by AND. */
  function where(clause: string): ((r: Json) => boolean) | RouteResult {
    const tests: Array<(r: Json) => boolean> = [];
    for (const part of clause.split(/\s+AND\s+/i)) {
      const m = /^\s*\(?\s*(:?[a-z_][a-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*'([^']*)'\s*\)?\s*$/i.exec(part);
      if (!m) return soqlError(`Could not parse SoQL query "${clause}"`);
      const [, column, op, literal] = m as unknown as [string, string, string, string];
      const asDate = column.startsWith(':') && column.endsWith('_at') ? parseDate(literal) : undefined;
      if (column.startsWith(':') && column.endsWith('_at') && asDate === undefined) {
        return soqlError(`Invalid timestamp literal '${literal}' for column ${column}`);
      }
      tests.push((r) => {
        const value = r[column];
        if (value === undefined) return false;
        const a = asDate === undefined ? String(value) : (parseDate(String(value)) ?? 0);
        const b = asDate ?? literal;
        return op === '>'
          ? a > b
          : op === '>='
            ? a >= b
            : op === '<'
              ? a < b
              : op === '<='
                ? a <= b
                : op === '='
                  ? a === b
                  : a !== b;
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

  function query(request: SandboxRequest): RouteResult {
    const id = request.match[1] as string;
    const rows = datasets.get(id);
    if (!rows) {
      return json(404, { code: 'not_found', error: true, message: `Dataset ${id} not found`, data: {} });
    }
    const q = request.url.searchParams;
    const limitRaw = q.get('$limit');
    const offsetRaw = q.get('$offset');
    if ((limitRaw !== null && !/^\d+$/.test(limitRaw)) || (offsetRaw !== null && !/^\d+$/.test(offsetRaw))) {
      return soqlError('$limit and $offset must be non-negative integers');
    }
    const limit = Math.min(Number(limitRaw ?? 1000), 50_000);
    const offset = Number(offsetRaw ?? 0);
    const filter = q.get('$where') === null ? () => true : where(q.get('$where') as string);
    if (typeof filter !== 'function') return filter;
    const project = select(q.get('$select'));
    if (typeof project !== 'function') return project;
    const order = (q.get('$order') ?? ':id').trim();
    const m = /^(:?[a-z_][a-z0-9_]*)(?:\s+(ASC|DESC))?$/i.exec(order);
    if (!m) return soqlError(`Invalid $order "${order}"`);
    const column = m[1] as string;
    const sign = m[2]?.toUpperCase() === 'DESC' ? -1 : 1;
    const sorted = rows.filter(filter).sort((a, b) => {
      const x = String(a[column] ?? '');
      const y = String(b[column] ?? '');
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
    const page = sorted.slice(offset, offset + limit);
    return {
      ...json(200, page.map(project), {
        'x-soda2-fields': JSON.stringify(Object.keys(rows[0] ?? {})),
        'x-soda2-legacy-types': 'true',
        'last-modified': new Date().toUTCString(),
      }),
      served: { stream: streamOf.get(id) as string, keys: page.map((r) => r[':id'] as string) },
    };
  }

  const routes: Route[] = [
    { method: 'GET', pattern: /\/resource\/([a-z0-9]{4}-[a-z0-9]{4})\.json$/, handle: query },
  ];

  return {
    name: 'socrata',
    routes,
    authorize(request) {
      const token = request.headers['x-app-token'] ?? request.url.searchParams.get('$$app_token');
      if (token === undefined || token === null || token === options.appToken) return undefined;
      return this.unauthorized();
    },
    unauthorized: () =>
      json(403, { code: 'invalid_app_token', error: true, message: 'Invalid app_token specified', data: {} }),
    rateLimited: (retryAfter) =>
      json(
        429,
        { code: 'too_many_requests', error: true, message: 'Too many requests' },
        { 'retry-after': String(retryAfter) },
      ),
    unavailable: () =>
      json(503, { code: 'service_unavailable', error: true, message: 'Service Unavailable' }),
    serverError: () => json(500, { code: 'internal_error', error: true, message: 'Internal error' }),
    advance(now, epoch) {
      for (const [id, rows] of datasets) {
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
          const index = rows.length;
          rows.push(
            row(id, new Rng(seed, `socrata:${id}:${epoch}:${n}`), index, Timeline.change(now, i++, total)),
          );
        }
      }
    },
    records: (stream) => {
      for (const [id, rows] of datasets) if (streamOf.get(id) === stream) return [...rows];
      return [];
    },
    streams: () => [...datasets.keys()].map((id) => streamOf.get(id) as string),
  };
}
