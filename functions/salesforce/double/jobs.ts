/**
 * Bulk API 2.0 query jobs (Bulk API 2.0 Developer Guide: "Create a Query Job", "Get Information
 * About a Query Job", "Get Results for a Query Job", "Abort a Query Job", "Delete a Query Job"):
 * - create `POST …/jobs/query` `{ operation: 'query' | 'queryAll', query, columnDelimiter?,
 *   lineEnding? }` → `200` with the job, state `UploadComplete`; the SOQL is run when the job is made;
 * - info `GET …/jobs/query/{id}`: `UploadComplete` → `InProgress` → `JobComplete` as it is polled
 *   (`pollsToComplete` polls), or `Failed` with `errorMessage`, or `Aborted`;
 * - results `GET …/jobs/query/{id}/results?locator=&maxRecords=`: `text/csv`, the set's records
 *   in `Sforce-NumberOfRecords`, the next set's locator in `Sforce-Locator` (the string `null` after
 *   the last); a locator is stable while the job exists (a set can be read again);
 * - abort `PATCH …/jobs/query/{id}` `{ state: 'Aborted' }`; delete `DELETE …/jobs/query/{id}` →
 *   `204`, or `400 API_ERROR` while the job is not terminated; a deleted job is a `404`.
 */
import type { ApiReply } from '@tributary/testkit';
import { type ColumnDelimiter, DELIMITERS, LINE_ENDINGS, type LineEnding, writeCsv } from './csv.ts';
import type { ObjectName, SObject } from './records.ts';
import { parseSoql } from './soql.ts';

export type JobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: ObjectName;
  query: string;
  apiVersion: number;
  createdDate: number;
  state: JobState;
  /** GETs of the job's info so far. */
  polls: number;
  fields: string[];
  rows: SObject[];
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
  errorMessage?: string;
  deleted: boolean;
}

/** How the org's jobs end: by object. */
export interface JobFaults {
  /** Jobs on these objects end `Failed` with this `errorMessage`. */
  failOn?: Map<ObjectName, string>;
  /** Jobs on these objects end `Aborted` (as if aborted in Setup). */
  abortOn?: Set<ObjectName>;
  /** Jobs on these objects stay `InProgress` until `release(object)`. */
  stallOn?: Set<ObjectName>;
}

export const apiError = (status: number, errorCode: string, message: string): ApiReply => ({
  status,
  body: [{ errorCode, message }],
});
const notFound = () => apiError(404, 'NOT_FOUND', 'The requested resource does not exist');

/** `2018-12-10T17:50:19.000+0000`: how job info writes a dateTime. */
const jobDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/** A locator: an opaque string for the offset of a result set (the docs' example is `MTAwMDA`). */
const locatorOf = (offset: number) => Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
function offsetOf(locator: string): number | undefined {
  const n = Number(Buffer.from(locator, 'base64').toString('utf8'));
  return Number.isInteger(n) && n >= 0 && locatorOf(n) === locator ? n : undefined;
}

export class QueryJobs {
  readonly jobs = new Map<string, QueryJob>();
  private seq = 0;

  constructor(
    private readonly records: Record<ObjectName, SObject[]>,
    private readonly options: {
      pollsToComplete: number;
      defaultMaxRecords: number;
      setSizeLimit: number;
      faults: JobFaults;
    },
  ) {}

  info(job: QueryJob, full: boolean): Record<string, unknown> {
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: '005R0000000INTEGR',
      createdDate: jobDate(job.createdDate),
      systemModstamp: jobDate(Date.now()),
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: job.apiVersion,
      ...(full && { jobType: 'V2Query' }),
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
      ...(full && {
        numberRecordsProcessed: job.state === 'JobComplete' ? job.rows.length : 0,
        retries: 0,
        totalProcessingTime: job.polls * 150,
      }),
      ...(full && job.errorMessage !== undefined && { errorMessage: job.errorMessage }),
    };
  }

  create(body: string, apiVersion: number): ApiReply {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body);
    } catch {
      return apiError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
    }
    const { operation, query } = input;
    const columnDelimiter = (input.columnDelimiter ?? 'COMMA') as ColumnDelimiter;
    const lineEnding = (input.lineEnding ?? 'LF') as LineEnding;
    if (operation !== 'query' && operation !== 'queryAll')
      return apiError(400, 'API_ERROR', `Invalid operation: ${String(operation)}; query or queryAll`);
    if (typeof query !== 'string') return apiError(400, 'API_ERROR', 'query is required');
    if (!(columnDelimiter in DELIMITERS) || !(lineEnding in LINE_ENDINGS))
      return apiError(400, 'API_ERROR', 'Invalid columnDelimiter or lineEnding');
    const soql = parseSoql(query);
    if ('errorCode' in soql) return apiError(400, soql.errorCode, soql.message);
    let rows = this.records[soql.object].filter(
      (r) => (operation === 'queryAll' || r.IsDeleted !== 'true') && soql.filter(r),
    );
    if (soql.compare) rows = [...rows].sort(soql.compare);
    if (soql.limit !== undefined) rows = rows.slice(0, soql.limit);
    const id = `750R0${(++this.seq).toString(36).toUpperCase().padStart(10, '0')}IAA`;
    const job: QueryJob = {
      id,
      operation,
      object: soql.object,
      query,
      apiVersion,
      createdDate: Date.now(),
      state: 'UploadComplete',
      polls: 0,
      fields: soql.fields,
      // A snapshot of the values: a later change of a record does not change this job's results.
      rows: rows.map((r) => ({ ...r })),
      columnDelimiter,
      lineEnding,
      deleted: false,
    };
    this.jobs.set(id, job);
    return { body: this.info(job, false) };
  }

  private find(id: string): QueryJob | undefined {
    const job = this.jobs.get(id);
    return job && !job.deleted ? job : undefined;
  }

  /** One GET of the job's info moves it on. */
  private advance(job: QueryJob): void {
    job.polls++;
    if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
    const { failOn, abortOn, stallOn } = this.options.faults;
    if (job.polls < this.options.pollsToComplete || stallOn?.has(job.object)) {
      job.state = 'InProgress';
      return;
    }
    const failure = failOn?.get(job.object);
    if (failure !== undefined) {
      job.state = 'Failed';
      job.errorMessage = failure;
    } else job.state = abortOn?.has(job.object) ? 'Aborted' : 'JobComplete';
  }

  get(id: string): ApiReply {
    const job = this.find(id);
    if (!job) return notFound();
    this.advance(job);
    return { body: this.info(job, true) };
  }

  results(id: string, query: URLSearchParams): ApiReply {
    const job = this.find(id);
    if (!job) return notFound();
    if (job.state !== 'JobComplete')
      return apiError(
        400,
        'API_ERROR',
        `Job ${job.id} is in state ${job.state}: results are available once it is JobComplete`,
      );
    const locator = query.get('locator');
    const offset = locator === null || locator === '' ? 0 : offsetOf(locator);
    if (offset === undefined) return apiError(400, 'API_ERROR', `Invalid locator: ${locator}`);
    const rawMax = query.get('maxRecords');
    const max = rawMax === null ? this.options.defaultMaxRecords : Number(rawMax);
    if (!Number.isInteger(max) || max < 1) return apiError(400, 'API_ERROR', `Invalid maxRecords: ${rawMax}`);
    // "The request is still subject to the size limits": a set is never larger than the org allows.
    const set = job.rows.slice(offset, offset + Math.min(max, this.options.setSizeLimit));
    const next = offset + set.length;
    return {
      status: 200,
      headers: {
        'content-type': 'text/csv',
        'sforce-numberofrecords': String(set.length),
        'sforce-locator': next < job.rows.length ? locatorOf(next) : 'null',
      },
      body: writeCsv(job.fields, set, job.columnDelimiter, job.lineEnding),
    };
  }

  abort(id: string, body: string): ApiReply {
    const job = this.find(id);
    if (!job) return notFound();
    let state: unknown;
    try {
      state = JSON.parse(body).state;
    } catch {
      return apiError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
    }
    if (state !== 'Aborted') return apiError(400, 'API_ERROR', 'state must be Aborted');
    if (job.state !== 'UploadComplete' && job.state !== 'InProgress')
      return apiError(400, 'API_ERROR', `Job ${job.id} is already ${job.state}`);
    job.state = 'Aborted';
    return { body: this.info(job, false) };
  }

  delete(id: string): ApiReply {
    const job = this.find(id);
    if (!job) return notFound();
    if (job.state !== 'JobComplete' && job.state !== 'Aborted' && job.state !== 'Failed')
      return apiError(
        400,
        'API_ERROR',
        'Error encountered when deleting the job because the job is not terminated',
      );
    job.deleted = true;
    return { status: 204 };
  }

  /** Lets the stalled jobs of `object` complete on their next poll. */
  release(object: ObjectName): void {
    this.options.faults.stallOn?.delete(object);
  }
}
