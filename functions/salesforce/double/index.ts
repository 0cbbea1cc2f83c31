/**
 * The one Salesforce double, as Salesforce documents the APIs the salesforce source calls (the pages
 * are cited in this package's README), used by this source's tests (`startApi(org.route())` on
 * loopback) and by the local pipeline (`sandboxDouble`, served by the sandbox):
 * - the OAuth 2.0 token endpoint `POST /services/oauth2/token` (client credentials and JWT bearer,
 *   `oauth.ts`);
 * - Bulk API 2.0 query jobs under `/services/data/vXX.X/jobs/query` (API version 47.0 and later;
 *   `jobs.ts`), their SOQL parsed as far as `SELECT … FROM … WHERE SystemModstamp > …` (`soql.ts`),
 *   their results as CSV (`csv.ts`) of `Account` and `Opportunity` records (`records.ts`);
 * - `401 [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]` for a missing,
 *   unknown or expired access token; `403 [{ message: 'TotalRequests Limit exceeded.', errorCode:
 *   'REQUEST_LIMIT_EXCEEDED' }]` once the org's API request limit is used up.
 */
import { randomBytes } from 'node:crypto';
import type { ApiReply, ApiRequest, ApiRoute, SourceDouble } from '@tributary/testkit';
import { apiError, type JobFaults, QueryJobs } from './jobs.ts';
import { type OAuthClient, tokenEndpoint } from './oauth.ts';
import { makeRecords, type ObjectName, type SObject } from './records.ts';

export type { ColumnDelimiter, LineEnding } from './csv.ts';
export type { JobFaults, JobState, QueryJob } from './jobs.ts';
export { JWT_BEARER_GRANT } from './oauth.ts';
export {
  FIELDS,
  makeAccount,
  makeOpportunity,
  makeRecords,
  OBJECTS,
  type ObjectName,
  recordId,
  type SObject,
  sfDateTime,
} from './records.ts';

/** The secret `api-credentials/salesforce` the tests and the sandbox use (client credentials). */
export const SECRET = {
  client_id: '3MVG9DOUBLEconsumerKey0123456789',
  client_secret: 'DOUBLE-consumer-SECRET-0123456789ABCDEF',
} as const;

export interface SalesforceOrgOptions {
  /** Records by object; read when a job is created, so a test may change them between runs. */
  records: Record<ObjectName, SObject[]>;
  client?: OAuthClient;
  /** GETs of a job's info before it is `JobComplete`. @default 2 */
  pollsToComplete?: number;
  /** A result set's size when the request gives no `maxRecords`. @default 10000 */
  defaultMaxRecords?: number;
  /** The most records a set holds whatever `maxRecords` asks (the size limits a request is subject to). @default Infinity */
  setSizeLimit?: number;
  faults?: JobFaults & {
    /** The n-th requests (1-based) to the data API answered `403 REQUEST_LIMIT_EXCEEDED`. */
    limitExceededOn?: Set<number>;
  };
}

const BULK = /\/services\/data\/v(\d+\.\d)\/jobs\/query(?:\/([A-Za-z0-9]{15,18})(\/results)?)?$/;

/** One org: its credentials, sessions, records and query jobs. */
export class SalesforceOrg {
  readonly records: Record<ObjectName, SObject[]>;
  readonly jobs: QueryJobs;
  readonly client: OAuthClient;
  /** Access tokens issued and still valid. */
  readonly sessions = new Set<string>();
  /** Token requests answered with a token. */
  tokensIssued = 0;
  /** Requests to the data API so far (token requests not counted). */
  dataRequests = 0;
  /** The n-th data requests (1-based) answered `403 REQUEST_LIMIT_EXCEEDED`; a test may add to it. */
  readonly limitExceededOn: Set<number>;

  constructor(options: SalesforceOrgOptions) {
    this.records = options.records;
    this.client = options.client ?? { clientId: SECRET.client_id, clientSecret: SECRET.client_secret };
    this.limitExceededOn = options.faults?.limitExceededOn ?? new Set();
    this.jobs = new QueryJobs(this.records, {
      pollsToComplete: options.pollsToComplete ?? 2,
      defaultMaxRecords: options.defaultMaxRecords ?? 10_000,
      setSizeLimit: options.setSizeLimit ?? Number.POSITIVE_INFINITY,
      faults: options.faults ?? {},
    });
  }

  /** Ends every session (as a session timeout or a revoked token does): the next call is a 401. */
  expireSessions(): void {
    this.sessions.clear();
  }

  private issue = (): string => {
    const token = `00DR0000000DOUBLE!${randomBytes(24).toString('base64url')}`;
    this.sessions.add(token);
    this.tokensIssued++;
    return token;
  };

  private authorized(req: ApiRequest): boolean {
    const m = /^(?:Bearer|OAuth) (.+)$/.exec(req.headers.authorization ?? '');
    return m !== null && this.sessions.has(m[1] as string);
  }

  handle(req: ApiRequest): ApiReply {
    if (req.path.endsWith('/services/oauth2/token')) return tokenEndpoint(req, this.client, this.issue);
    const m = BULK.exec(req.path);
    if (!m) return apiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (!this.authorized(req)) return apiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (this.limitExceededOn.has(++this.dataRequests))
      return apiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    const [, version, id, results] = m as unknown as [string, string, string | undefined, string | undefined];
    // Query jobs are available in API version 47.0 and later.
    if (Number(version) < 47) return apiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (id === undefined) {
      if (req.method !== 'POST') return apiError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed');
      return this.jobs.create(req.body, Number(version));
    }
    if (results)
      return req.method === 'GET'
        ? this.jobs.results(id, req.query)
        : apiError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed');
    if (req.method === 'GET') return this.jobs.get(id);
    if (req.method === 'PATCH') return this.jobs.abort(id, req.body);
    if (req.method === 'DELETE') return this.jobs.delete(id);
    return apiError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed');
  }

  /** The org as a loopback route: `startApi(org.route())`. */
  route(): ApiRoute {
    return (req) => this.handle(req);
  }
}

/**
 * This double in the local pipeline (`pnpm demo`, `pnpm local:up`, the e2e tests): an org with
 * `records` accounts and as many opportunities, its client credentials in the emulator's secret.
 */
export const sandboxDouble: SourceDouble = {
  secret: { ...SECRET },
  routes: (records) => new SalesforceOrg({ records: makeRecords(records) }).route(),
  env: () => ({ SALESFORCE_DOMAIN: 'acme.my.salesforce.com' }),
};
