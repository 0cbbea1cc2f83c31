/**
 * The real salesforce definition through the real handler, against the Salesforce double on loopback
 * and S3 / Secrets Manager on the moto server: OAuth2 client credentials, Bulk API 2.0 query jobs
 * (create → poll → CSV results set by set by `Sforce-Locator` → delete) for Account and Opportunity,
 * incremental on SystemModstamp, a job still running at the deadline carried in the continuation and
 * polled again on resume (never created twice), a failed job a JobFailedError with the API's message.
 */
import type { Handler, HandlerResult } from '@tributary/core';
import {
  type CapturedOutput,
  keysContaining,
  type LoopbackApi,
  lambdaContext,
  readLanded,
  rejectionOf,
  type SourceTest,
  startSourceTest,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type JobFaults,
  makeAccount,
  makeOpportunity,
  type ObjectName,
  SalesforceOrg,
  SECRET,
  type SObject,
} from '../double/index.ts';

const BUCKET = 'tributary-test-source-salesforce';
const SECRET_NAME = 'api-credentials/salesforce-source-test';
const FOLDER = 'salesforce';
const T0 = Date.parse('2026-11-01T00:00:00Z');
const V = '/services/data/v62.0';

const accounts = Array.from({ length: 2_500 }, (_, i) => makeAccount(i));
const opportunities = Array.from({ length: 1_200 }, (_, i) => makeOpportunity(i, i % 2_500));
const faults: Required<Pick<JobFaults, 'failOn' | 'stallOn'>> = { failOn: new Map(), stallOn: new Set() };
const org = new SalesforceOrg({
  records: { Account: accounts, Opportunity: opportunities },
  pollsToComplete: 1,
  setSizeLimit: 1_000,
  faults,
});

let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET_NAME, { ...SECRET }],
    folder: FOLDER,
    route: org.route(),
    env: () => ({ SALESFORCE_DOMAIN: 'acme.my.salesforce.com' }),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler, output } = run);
});

afterAll(() => run?.close());

/** The create requests of `object`'s jobs so far. */
const creates = (object: ObjectName) =>
  api.requests.filter(
    (r) => r.method === 'POST' && r.path === `${V}/jobs/query` && r.body.includes(`FROM ${object} `),
  );
const jobsOf = (object: ObjectName) => [...org.jobs.jobs.values()].filter((j) => j.object === object);
/** A record as the CSV results carry it: every value a string, a null an empty field. */
const asLanded = (r: SObject) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ?? '']));
/** A Lambda context with `checks` looks at the clock before the deadline. */
const budget = (checks: number) => {
  let calls = 0;
  return { ...lambdaContext(), getRemainingTimeInMillis: () => (calls++ < checks ? 15 * 60_000 : 0) };
};

describe('salesforce source', () => {
  it('lands Account and Opportunity through query jobs: created once, polled, read set by set, deleted', async () => {
    // Act
    const result = await handler({ runId: 'sf-run-1' }, lambdaContext());

    // Assess: every record, as the CSV has it; the watermark the greatest SystemModstamp
    expect(result.status).toBe('complete');
    const landed = await readLanded(BUCKET, FOLDER, 'account', 'sf-run-1');
    expect(landed.records).toEqual(accounts.map(asLanded));
    expect(landed.records[0]?.Description).toBe('Key account, "tier 0"\nrenewal due');
    expect(landed.manifest).toMatchObject({
      records: 2_500,
      primaryKey: ['Id'],
      cursorField: 'SystemModstamp',
    });
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 2_499 * 60_000);
    expect((await readLanded(BUCKET, FOLDER, 'opportunity', 'sf-run-1')).records).toEqual(
      opportunities.map(asLanded),
    );

    // Assess: one job per object, its SOQL from initialSince; results by locator; deleted after the commit
    expect(creates('Account')).toHaveLength(1);
    expect(JSON.parse(creates('Account')[0]!.body)).toEqual({
      operation: 'query',
      query: expect.stringMatching(
        /^SELECT Id, Name, .*, SystemModstamp FROM Account WHERE SystemModstamp >= 1999-01-01T00:00:00Z$/,
      ),
    });
    const [job] = jobsOf('Account');
    const sets = api.requests.filter((r) => r.path === `${V}/jobs/query/${job!.id}/results`);
    expect(sets.map((r) => r.query.get('locator'))).toEqual([null, 'MTAwMA', 'MjAwMA']);
    expect(sets.every((r) => r.query.get('maxRecords') === '50000')).toBe(true);
    expect(job!.deleted).toBe(true);
    expect(jobsOf('Opportunity').map((j) => j.deleted)).toEqual([true]);

    // Assess: the client credentials in the form body; no credential in the logs or in S3
    const token = api.requests.find((r) => r.path === '/services/oauth2/token')!;
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      grant_type: 'client_credentials',
      ...SECRET,
    });
    for (const value of [SECRET.client_secret, ...org.sessions]) {
      expect(output.text()).not.toContain(value);
      expect(await keysContaining(BUCKET, value)).toEqual([]);
    }
  });

  it('asks a second run for what changed since the watermark, in the SOQL of its job', async () => {
    // Prepare: two accounts edited, one added; the session expired meanwhile
    accounts[4] = makeAccount(4, T0 + 3 * 86_400_000);
    accounts[7] = makeAccount(7, T0 + 3 * 86_400_000 + 1_000);
    accounts.push(makeAccount(9_000, T0 + 3 * 86_400_000 + 2_000));
    org.expireSessions();
    const before = creates('Account').length;

    // Act
    const result = await handler({ runId: 'sf-run-2', streams: ['account'] }, lambdaContext());

    // Assess: the job bounded from the watermark (>=: its second is read again, merged on Id)
    expect(result.status).toBe('complete');
    const query = JSON.parse(creates('Account').slice(before)[0]!.body).query as string;
    expect(query).toMatch(/ WHERE SystemModstamp >= 2026-11-02T17:39:00Z$/);
    const landed = await readLanded(BUCKET, FOLDER, 'account', 'sf-run-2');
    expect(landed.records.map((r) => r.Id).sort()).toEqual(
      [accounts[2_499], accounts[4], accounts[7], accounts.at(-1)].map((r) => r!.Id).sort(),
    );
    expect(result.streams[0]!.records).toBe(4);
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 3 * 86_400_000 + 2_000);
    // the expired session was renewed once: a new token, the job still created once
    expect(org.tokensIssued).toBe(2);
  });

  it('carries a job still running at the deadline in the continuation, and polls that job on resume', async () => {
    // Prepare: Account's next job stays InProgress until released
    faults.stallOn.add('Account');
    const runId = 'sf-run-deadline';
    const before = creates('Account').length;

    // Act: the first invocation runs out of time while the job runs
    const first: HandlerResult = await handler(
      { runId, streams: ['account'], window: { since: '2026-10-01T00:00:00Z' } },
      budget(4),
    );

    // Assess: partial, the job in the continuation, nothing landed
    expect(first.status).toBe('partial');
    const carried = (
      first.continuation as { streams: Record<string, { job?: { id: string; done: boolean } }> }
    ).streams.account!.job;
    const [job] = jobsOf('Account').slice(-1);
    expect(carried).toMatchObject({ id: job!.id, done: false });
    expect(job!.state).toBe('InProgress');

    // Act: the job completes; the next invocation resumes from the continuation
    org.jobs.release('Account');
    const second = await handler(
      {
        runId,
        streams: ['account'],
        window: { since: '2026-10-01T00:00:00Z' },
        continuation: JSON.parse(JSON.stringify(first.continuation)),
      },
      lambdaContext(),
    );

    // Assess: the same job polled and read; never a second create
    expect(second.status).toBe('complete');
    expect(creates('Account').length - before).toBe(1);
    const polled = api.requests
      .filter((r) => r.method === 'GET' && /\/jobs\/query\/750\w+$/.test(r.path))
      .map((r) => r.path);
    expect(polled.filter((p) => p.endsWith(job!.id)).length).toBeGreaterThanOrEqual(1);
    const landed = await readLanded(BUCKET, FOLDER, 'account', runId);
    expect(landed.records).toHaveLength(accounts.length);
    expect(job!.deleted).toBe(true);
  });

  it('fails a job that ends Failed with a JobFailedError carrying the API message, landing nothing', async () => {
    // Prepare
    faults.failOn.set('Opportunity', "INVALID_FIELD: No such column 'Foo' on entity 'Opportunity'");
    const before = await readLanded(BUCKET, FOLDER, 'opportunity', 'sf-run-1');

    // Act
    const error: Error & { jobId?: string } = await rejectionOf(
      handler({ runId: 'sf-run-failed', streams: ['opportunity'] }, lambdaContext()),
    );

    // Assess
    const [job] = jobsOf('Opportunity').slice(-1);
    expect(error).toMatchObject({ name: 'JobFailedError', jobId: job!.id });
    expect(error.message).toContain(
      `job ${job!.id} Failed: INVALID_FIELD: No such column 'Foo' on entity 'Opportunity'`,
    );
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(SECRET.client_secret);
    expect(api.requests.some((r) => r.path === `${V}/jobs/query/${job!.id}/results`)).toBe(false);
    const landed = await readLanded(BUCKET, FOLDER, 'opportunity', 'sf-run-failed');
    expect(landed.manifest).toBeUndefined();
    expect((await readLanded(BUCKET, FOLDER, 'opportunity', 'sf-run-failed')).state).toEqual(before.state);
    faults.failOn.delete('Opportunity');
  });

  it("fails the run on 403 REQUEST_LIMIT_EXCEEDED (the org's API quota), naming it, creating no job", async () => {
    // Prepare: the quota runs out at the next data request
    org.limitExceededOn.add(org.dataRequests + 1);
    const before = creates('Opportunity').length;

    // Act
    const error: Error = await rejectionOf(
      handler({ runId: 'sf-run-quota', streams: ['opportunity'] }, lambdaContext()),
    );

    // Assess
    expect(error.message).toMatch(/403/);
    expect(error.message).toMatch(/REQUEST_LIMIT_EXCEEDED|TotalRequests Limit exceeded/);
    expect(creates('Opportunity').length - before).toBe(1); // the refused create, sent once
    expect((await readLanded(BUCKET, FOLDER, 'opportunity', 'sf-run-quota')).manifest).toBeUndefined();
  });
});
