/**
 * A Socrata (SODA 2.1) double on loopback, shaped as dev.socrata.com documents it: `/resource/<id>.json`
 * answering a JSON array; `$select=:*, *` adds the system fields `:id`, `:version`, `:created_at`,
 * `:updated_at` (fixed timestamps, `…Z`); `$order`, `$limit`, `$offset`; `$where=:updated_at > '<floating
 * timestamp>'`; `X-SODA2-Fields`/`X-SODA2-Types`/`X-Socrata-RequestId` headers; a SoQL error
 * `{ code, error: true, message, data }` for a query it cannot parse; 403 for a wrong app token,
 * 429 when throttled and `202 Request Processing` while a page is not ready.
 */
import type { ApiReply, ApiRequest } from '@tributary/testkit';

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

/** `:updated_at > '2026-11-01T00:00:00.000'`: a floating timestamp literal, as SoQL wants it. */
const WHERE = /^:updated_at > '(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?)'$/;

export function socrataRoute(
  datasets: Map<string, Json[]>,
  appToken: string | undefined,
  faults: SocrataFaults,
) {
  const hits = new Map<string, number>();
  let seq = 0;
  const headers = () => ({
    'x-socrata-requestid': `fixture${(++seq).toString(16)}`,
    'x-soda2-fields':
      '[":id",":version",":created_at",":updated_at","unique_key","created_date","complaint_type","borough","location"]',
    'x-soda2-types':
      '["meta_data","meta_data","meta_data","meta_data","text","floating_timestamp","text","text","point"]',
    'x-soda2-legacy-types': 'false',
    'last-modified': new Date(T0).toUTCString(),
  });
  const soqlError = (message: string, query: string): ApiReply => ({
    status: 400,
    headers: headers(),
    body: { code: 'query.compiler.malformed', error: true, message, data: { query } },
  });

  return (req: ApiRequest): ApiReply => {
    const token = req.headers['x-app-token'];
    if (token !== undefined && token !== appToken) {
      return {
        status: 403,
        headers: headers(),
        body: { code: 'permission_denied', error: true, message: 'Invalid app_token specified' },
      };
    }
    const m = /^\/resource\/([a-z0-9]{4}-[a-z0-9]{4})\.json$/.exec(req.path);
    const rows = m && datasets.get(m[1]!);
    if (!m || !rows) {
      return {
        status: 404,
        headers: headers(),
        body: { code: 'not_found', error: true, message: `Dataset ${req.path} not found` },
      };
    }
    const id = m[1]!;
    const n = (hits.get(id) ?? 0) + 1;
    hits.set(id, n);
    if (faults.throttleOn.get(id) === n) {
      return {
        status: 429,
        headers: { ...headers(), 'retry-after': '1' },
        body: { code: 'too_many_requests', error: true, message: 'Too many requests' },
      };
    }

    const q = req.query;
    if (faults.malformedOn.has(id)) {
      return soqlError(`No such column: complaint_typo; position: Map(row -> 1, column -> 8)`, q.toString());
    }
    if (q.get('$select')?.replace(/\s/g, '') !== ':*,*')
      return soqlError('system fields not selected', q.toString());
    if (q.get('$order') !== ':id') return soqlError('unstable order for paging', q.toString());
    const where = q.get('$where');
    let since: number | undefined;
    if (where !== null) {
      const w = WHERE.exec(where);
      if (!w) return soqlError(`Could not parse SoQL query "${where}"`, where);
      since = Date.parse(`${w[1]}Z`); // a floating timestamp compared with :updated_at (UTC)
    }
    const limit = Number(q.get('$limit') ?? 1000);
    const offset = Number(q.get('$offset') ?? 0);
    const processing = faults.processingOn?.get(id);
    if (processing && processing.offset === offset && processing.times > 0) {
      processing.times--;
      return { status: 202, headers: headers(), body: [] };
    }
    const selected = rows
      .filter((r) => since === undefined || Date.parse(r[':updated_at'] as string) > since)
      .sort((a, b) => String(a[':id']).localeCompare(String(b[':id'])));
    return { headers: headers(), body: selected.slice(offset, offset + limit) };
  };
}
