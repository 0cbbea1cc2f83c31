/**
 * A loopback API that behaves as Salesforce Bulk API 2.0 query jobs are documented to
 * (developer.salesforce.com, Bulk API 2.0 and Bulk API Developer Guide: "Create a Query Job",
 * "Get Information About a Query Job", "Get Results for a Query Job", "Delete a Query Job"):
 * - `POST /services/data/v62.0/jobs/query` `{ operation: 'query', query }` → 200 with `id` and
 *   `state: 'UploadComplete'`;
 * - `GET …/jobs/query/<id>` → the job, its `state` going UploadComplete → InProgress → JobComplete
 *   (or `Failed` with `errorMessage`, or `Aborted`); an unknown job: 404 with
 *   `[{ errorCode: 'NOT_FOUND', message }]`;
 * - `GET …/jobs/query/<id>/results?locator=&maxRecords=` → the rows, with `Sforce-NumberOfRecords`
 *   and `Sforce-Locator` (the string `null` on the last set), as CSV (`text/csv`, every value
 *   quoted, a header row in each set, LF line endings: the job's defaults); with `format: 'json'`
 *   the same rows as a JSON array instead (the job kind does not look at the results' format);
 * - `DELETE …/jobs/query/<id>` → 204.
 * Every request needs `Authorization: Bearer <token>`, else 401 `INVALID_SESSION_ID`.
 */
import { type FixtureApi, type FixtureResponse, startFixtureApi } from '@tributary/testkit';

export const BASE = '/services/data/v62.0/jobs/query';

export interface BulkQueryOptions {
  token: string;
  rows: Record<string, string>[];
  /** Polls answering InProgress before JobComplete. @default 2 */
  inProgressPolls?: number;
  /** The job ends this way instead, after `inProgressPolls`. */
  fails?: { state: 'Failed' | 'Aborted'; errorMessage?: string };
  /** The rows per results set without `maxRecords`. @default 1000 */
  defaultMaxRecords?: number;
  /** Polls answer 404 (the job expired). */
  expired?: boolean;
  /** The first create answers 503 `SERVER_UNAVAILABLE`, creating nothing. */
  createFailsOnce?: boolean;
  /** The results' format. @default 'csv' */
  format?: 'csv' | 'json';
  /** DELETE answers 500 (Salesforce's `UNKNOWN_EXCEPTION`). */
  failDelete?: boolean;
}

export interface BulkQueryApi extends FixtureApi {
  /** Jobs created. */
  creates(): number;
  /** Jobs deleted. */
  deletes(): number;
}

interface Job {
  id: string;
  polls: number;
}

export async function startBulkQueryApi(options: BulkQueryOptions): Promise<BulkQueryApi> {
  const jobs = new Map<string, Job>();
  let created = 0;
  let deleted = 0;
  let createFailed = false;
  const api = await startFixtureApi((req): FixtureResponse => {
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return {
        status: 401,
        body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
      };
    if (req.method === 'POST' && req.path === BASE) {
      if (options.createFailsOnce && !createFailed) {
        createFailed = true;
        return { status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server is unavailable' }] };
      }
      const body = JSON.parse(req.body) as { operation?: string; query?: string };
      if (body.operation !== 'query' || !body.query)
        return {
          status: 400,
          body: [{ errorCode: 'INVALIDJOB', message: 'operation and query are required' }],
        };
      created++;
      const id = `750R0000000zlh${String(created).padStart(2, '0')}IAA`;
      jobs.set(id, { id, polls: 0 });
      return {
        body: { id, operation: 'query', object: 'Account', state: 'UploadComplete', contentType: 'CSV' },
      };
    }
    const match = new RegExp(`^${BASE}/([^/]+)(/results)?$`).exec(req.path);
    const job = match ? jobs.get(match[1]!) : undefined;
    if (!match || !job || (options.expired && req.method === 'GET' && !match[2]))
      return {
        status: 404,
        body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
      };
    if (req.method === 'DELETE' && options.failDelete)
      return {
        status: 500,
        body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' }],
      };
    if (req.method === 'DELETE') {
      jobs.delete(job.id);
      deleted++;
      return { status: 204, body: '' };
    }
    if (!match[2]) return { body: { id: job.id, ...stateOf(job, options) } };
    return results(req.query, options);
  });
  return { ...api, creates: () => created, deletes: () => deleted };
}

function stateOf(job: Job, options: BulkQueryOptions): { state: string; errorMessage?: string } {
  job.polls++;
  const inProgress = options.inProgressPolls ?? 2;
  if (job.polls <= inProgress) return { state: job.polls === 1 ? 'UploadComplete' : 'InProgress' };
  if (options.fails)
    return {
      state: options.fails.state,
      ...(options.fails.errorMessage && { errorMessage: options.fails.errorMessage }),
    };
  return { state: 'JobComplete' };
}

/** One set of results: `locator` is the offset (base64, as Salesforce's look), `maxRecords` the size. */
function results(query: URLSearchParams, options: BulkQueryOptions): FixtureResponse {
  const locator = query.get('locator');
  const offset = locator ? Number(Buffer.from(locator, 'base64').toString()) : 0;
  const size = Number(query.get('maxRecords') ?? options.defaultMaxRecords ?? 1000);
  const rows = options.rows.slice(offset, offset + size);
  const next =
    offset + size < options.rows.length ? Buffer.from(String(offset + size)).toString('base64') : 'null';
  const headers = { 'Sforce-NumberOfRecords': String(rows.length), 'Sforce-Locator': next };
  if (options.format === 'json') return { headers, body: rows };
  const columns = Object.keys(options.rows[0] ?? {});
  const line = (values: string[]) => `${values.map((v) => `"${v.replaceAll('"', '""')}"`).join(',')}\n`;
  const csv = line(columns) + rows.map((row) => line(columns.map((c) => row[c] ?? ''))).join('');
  return { headers: { ...headers, 'content-type': 'text/csv' }, body: csv };
}
