/**
 * The `job` stream kind against a loopback API that behaves as Salesforce Bulk API 2.0 query jobs
 * are documented to (support/bulkQueryApi.ts), through the handler: the job is created once, polled
 * until done, its results read through `headerCursor` on `Sforce-Locator`, then deleted; a job still
 * running at the deadline is carried in the continuation and polled again (never re-created); a
 * results walk cut mid-way resumes at its locator; a failed, aborted or expired job is a
 * `JobFailedError` with the API's message; a job past `maxWaitSeconds` a `JobTimeoutError`; no
 * secret in any output.
 */
import { gunzipSync } from 'node:zlib';
import { createHandler, defineSource, type HandlerResult } from '@tributary/core';
import { createReader } from '@tributary/core/definition';
import {
  captureOutput,
  createBucket,
  createSecret,
  getObject,
  listKeys,
  readLanded,
  rejectionOf,
} from '@tributary/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from '../landing/support/context.ts';
import { BASE, type BulkQueryApi, type BulkQueryOptions, startBulkQueryApi } from './support/bulkQueryApi.ts';

const bucket = 'job-stream-test';
const outputFolder = 'crm/bulk';
const secretName = 'api-credentials/bulk-api-job-test';
const TOKEN = '00DR0000001abcd!AQ4AQJobStreamTestTokenXyz';
const QUERY =
  'SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= {since} AND SystemModstamp < {until}';

const rows = Array.from({ length: 9 }, (_, i) => ({
  Id: `001R0000005hD${String(i).padStart(2, '0')}AAA`,
  Name: `Account ${i}`,
  SystemModstamp: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(),
}));

function bulkSource(poll: { maxWaitSeconds?: number } = {}) {
  return defineSource({
    name: 'bulk-api',
    baseUrl: 'https://example.my.salesforce.invalid',
    auth: { type: 'bearer', secretKey: 'token' },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxTotalWaitMs: 100 },
    streams: {
      accounts: {
        path: `${BASE}/{job.id}/results`,
        params: { maxRecords: 2 },
        // Salesforce answers results as CSV; the stream's headers go with the results requests only.
        headers: { Accept: 'text/csv' },
        primaryKey: 'Id',
        paginator: { type: 'headerCursor', header: 'Sforce-Locator', param: 'locator' },
        incremental: { cursorField: 'SystemModstamp', initialSince: '2026-01-01T00:00:00Z' },
        job: {
          create: {
            path: BASE,
            request: {
              type: 'json',
              method: 'POST',
              body: { operation: 'query', query: QUERY },
              retrySafe: true,
            },
            idPath: 'id',
          },
          poll: {
            path: `${BASE}/{job.id}`,
            statusPath: 'state',
            done: ['JobComplete'],
            failed: ['Failed', 'Aborted'],
            messagePath: 'errorMessage',
            intervalMs: 1,
            maxIntervalMs: 2,
            ...poll,
          },
          cleanup: { method: 'DELETE', path: `${BASE}/{job.id}` },
        },
      },
    },
    runtime: { safetyMarginMs: 60_000, partSizeBytes: 1024, streamConcurrency: 1 },
  });
}

const apis: BulkQueryApi[] = [];
async function start(options: Partial<BulkQueryOptions> = {}): Promise<BulkQueryApi> {
  const api = await startBulkQueryApi({ token: TOKEN, rows, ...options });
  apis.push(api);
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url, secretName });
  return api;
}

beforeAll(async () => {
  await createBucket(bucket);
  await createSecret(secretName, { token: TOKEN });
});
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

/** Invokes with `checks` looks at the clock each, chaining continuations, until complete. */
async function chain(
  handler: ReturnType<typeof createHandler>,
  runId: string,
  checks: number,
): Promise<HandlerResult[]> {
  const results: HandlerResult[] = [];
  let continuation: unknown = null;
  for (let i = 0; i < 50; i++) {
    const result = await handler({ runId, streams: ['accounts'], continuation }, budgetContext(checks));
    results.push(result);
    if (result.status === 'complete') return results;
    continuation = JSON.parse(JSON.stringify(result.continuation));
  }
  throw new Error('the run never completed');
}

const polls = (api: BulkQueryApi) =>
  api.requests.filter((r) => r.method === 'GET' && /query\/[^/]+$/.test(r.path));
const resultSets = (api: BulkQueryApi) => api.requestsTo(/\/results$/);

describe('a job stream', () => {
  it('creates the job once, polls it to JobComplete, reads every results set by Sforce-Locator, then deletes it', async () => {
    // Prepare
    const api = await start({ inProgressPolls: 2 });
    const runId = '2026-12-01T06-00-00Z-job-happy';
    const output = captureOutput();

    // Act
    let result: HandlerResult;
    try {
      result = await createHandler(bulkSource())({ runId, streams: ['accounts'] }, budgetContext(Infinity));
    } finally {
      output.restore();
    }

    // Assess: the API's calls, in order
    expect(result.status).toBe('complete');
    expect(result.streams[0]).toMatchObject({ records: 9, pages: 5, status: 'complete' });
    expect(api.creates()).toBe(1);
    const create = api.requests[0]!;
    expect(create).toMatchObject({ method: 'POST', path: BASE });
    expect(create.headers['content-type']).toBe('application/json');
    const sent = JSON.parse(create.body) as { operation: string; query: string };
    expect(sent.operation).toBe('query');
    expect(sent.query).toMatch(
      /^SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2026-01-01T00:00:00Z AND SystemModstamp < \d{4}-/,
    );
    const id = '750R0000000zlh01IAA';
    expect(polls(api).map((r) => r.path)).toEqual(Array(3).fill(`${BASE}/${id}`));
    expect(resultSets(api).map((r) => [r.path, r.query.get('locator'), r.query.get('maxRecords')])).toEqual([
      [`${BASE}/${id}/results`, null, '2'],
      ...['2', '4', '6', '8'].map((offset) => [
        `${BASE}/${id}/results`,
        Buffer.from(offset).toString('base64'),
        '2',
      ]),
    ]);
    expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `${BASE}/${id}` });
    expect(resultSets(api).every((r) => r.headers.accept === 'text/csv')).toBe(true);
    const control = api.requests.filter((r) => !r.path.endsWith('/results'));
    expect(control.map((r) => r.headers.accept)).toEqual(control.map(() => 'application/json'));
    expect(api.deletes()).toBe(1);

    // Assess: landed, and the job is not left in any state
    const landed = await readLanded(bucket, outputFolder, 'accounts', runId);
    expect(landed.records).toEqual(rows);
    expect(result.continuation).toBeNull();

    // Assess: the token went to the API, and nowhere else
    expect(api.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(output.text()).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    for (const key of await listKeys(bucket, `${outputFolder}/accounts/`)) {
      const body = await getObject(bucket, key);
      expect((key.endsWith('.gz') ? gunzipSync(body) : body).toString()).not.toContain(TOKEN);
    }
  });

  it('carries a job still InProgress at the deadline in the continuation and polls the same job on resume', async () => {
    // Prepare: more polls InProgress than one invocation makes
    const api = await start({ inProgressPolls: 6 });
    const runId = '2026-12-01T06-00-00Z-job-deadline';

    // Act: each invocation stops after a look or two at the clock
    const results = await chain(createHandler(bulkSource()), runId, 2);

    // Assess: partial results first, the job in their continuation, never created again
    expect(results.length).toBeGreaterThan(2);
    const first = results[0]!;
    expect(first.status).toBe('partial');
    expect(first.streams[0]).toMatchObject({ records: 0, status: 'partial' });
    const carried = (first.continuation as { streams: Record<string, { job?: Record<string, unknown> }> })
      .streams.accounts!.job;
    expect(carried).toMatchObject({ id: '750R0000000zlh01IAA', done: false, createdAt: expect.any(String) });
    expect(carried!.polls).toBeLessThan(7);
    expect(api.creates()).toBe(1);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(new Set(polls(api).map((r) => r.path))).toEqual(new Set([`${BASE}/750R0000000zlh01IAA`]));
    expect(polls(api)).toHaveLength(7); // 6 InProgress, then JobComplete: none repeated, none skipped
    expect(results.at(-1)!.streams[0]).toMatchObject({ records: 9, status: 'complete' });
    expect((await readLanded(bucket, outputFolder, 'accounts', runId)).records).toEqual(rows);
    expect(api.deletes()).toBe(1);
  });

  it('resumes a results walk cut mid-way at its locator, without polling again', async () => {
    // Prepare: done at the first poll; 5 results sets
    const api = await start({ inProgressPolls: 0 });
    const runId = '2026-12-01T06-00-00Z-job-results-cut';

    // Act: an invocation stops after about one results set
    const results = await chain(createHandler(bulkSource()), runId, 4);

    // Assess: the first invocation stopped inside the results, the job done in its continuation
    expect(results.length).toBeGreaterThanOrEqual(2);
    const first = results[0]!;
    expect(first.status).toBe('partial');
    expect(first.streams[0]!.records).toBeGreaterThan(0);
    expect(first.streams[0]!.records).toBeLessThan(9);
    const progress = (first.continuation as { streams: Record<string, { job?: unknown; position: unknown }> })
      .streams.accounts!;
    expect(progress.job).toMatchObject({ id: '750R0000000zlh01IAA', done: true, polls: 1 });
    expect(progress.position).not.toBeNull();
    expect(api.creates()).toBe(1);
    expect(polls(api)).toHaveLength(1);
    const locators = resultSets(api).map((r) => r.query.get('locator') ?? '');
    const expected = ['', ...['2', '4', '6', '8'].map((o) => Buffer.from(o).toString('base64'))];
    expect([...new Set(locators)].sort()).toEqual([...expected].sort());
    // A resumed walk asks again at most for the set that was in flight at the stop.
    expect(locators.length - expected.length).toBeLessThanOrEqual(results.length);
    const landed = await readLanded(bucket, outputFolder, 'accounts', runId);
    expect(landed.records).toEqual(rows);
    expect(results.at(-1)!.streams[0]).toMatchObject({ records: 9, pages: 5, status: 'complete' });
    expect(api.deletes()).toBe(1);
  });

  it.each([
    ['Failed', "INVALID_FIELD: No such column 'Foo' on entity 'Account'"],
    ['Aborted', undefined],
  ] as const)(
    'a job that ends %s is a JobFailedError with the API message, the stream and the job id',
    async (state, errorMessage) => {
      // Prepare
      const api = await start({
        inProgressPolls: 1,
        fails: { state, ...(errorMessage && { errorMessage }) },
      });
      const output = captureOutput();

      // Act
      let error: Error;
      try {
        error = await rejectionOf(
          createHandler(bulkSource())(
            { runId: `2026-12-01T06-00-00Z-job-${state}`, streams: ['accounts'] },
            budgetContext(Infinity),
          ),
        );
      } finally {
        output.restore();
      }

      // Assess
      expect(error).toMatchObject({
        name: 'JobFailedError',
        retryable: false,
        jobId: '750R0000000zlh01IAA',
        where: { source: 'bulk-api', stream: 'accounts' },
      });
      expect(error.message).toContain(`job 750R0000000zlh01IAA ${state}`);
      if (errorMessage) expect(error.message).toContain(errorMessage);
      expect(resultSets(api)).toHaveLength(0);
      expect(output.text()).not.toContain(TOKEN);
      expect(error.message).not.toContain(TOKEN);
    },
  );

  it('a clean-up that fails is logged with the job id, and the run completes', async () => {
    // Prepare
    const api = await start({ inProgressPolls: 0, failDelete: true });
    const runId = '2026-12-01T06-00-00Z-job-cleanup-fails';
    const output = captureOutput();

    // Act
    let result: HandlerResult;
    try {
      result = await createHandler(bulkSource())({ runId, streams: ['accounts'] }, budgetContext(Infinity));
    } finally {
      output.restore();
    }

    // Assess
    expect(result.status).toBe('complete');
    expect((await readLanded(bucket, outputFolder, 'accounts', runId)).records).toEqual(rows);
    expect(api.requests.filter((r) => r.method === 'DELETE').length).toBeGreaterThan(0);
    const warning = output
      .text()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'job clean-up failed (not fatal: the API expires the job)');
    expect(warning).toMatchObject({ level: 'WARN', stream: 'accounts', jobId: '750R0000000zlh01IAA' });
    expect(String(warning!.errorMessage)).toContain('500');
    expect(output.text()).not.toContain(TOKEN);
  });

  it('a job gone on poll (404: expired or deleted) is a JobFailedError that says so', async () => {
    // Prepare
    await start({ expired: true });

    // Act
    const error = await rejectionOf(
      createHandler(bulkSource())(
        { runId: '2026-12-01T06-00-00Z-job-expired', streams: ['accounts'] },
        budgetContext(Infinity),
      ),
    );

    // Assess
    expect(error).toMatchObject({ name: 'JobFailedError', jobId: '750R0000000zlh01IAA' });
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain('The requested resource does not exist');
  });

  it('a job still running after maxWaitSeconds of waiting is a JobTimeoutError naming the job and what to do', async () => {
    // Prepare: 10 ms of waiting in all, 1-2 ms between polls; the job never finishes
    const api = await start({ inProgressPolls: 10_000 });

    // Act
    const error = await rejectionOf(
      createHandler(bulkSource({ maxWaitSeconds: 0.01 }))(
        { runId: '2026-12-01T06-00-00Z-job-timeout', streams: ['accounts'] },
        budgetContext(Infinity),
      ),
    );

    // Assess
    expect(error).toMatchObject({ name: 'JobTimeoutError', retryable: false, jobId: '750R0000000zlh01IAA' });
    expect(error.message).toContain('job.poll.maxWaitSeconds: 0.01');
    expect(error.message).toContain('raise job.poll.maxWaitSeconds');
    expect(api.creates()).toBe(1);
    expect(polls(api).length).toBeGreaterThan(3);
  });
});

describe('a job stream read by a reader on its own (pnpm check)', () => {
  it('creates and polls the job, reads the first results set, and cleans up once the reading stops', async () => {
    // Prepare
    const api = await start({ inProgressPolls: 1 });
    const reader = createReader(bulkSource(), { baseUrl: api.url, secretName });

    // Act: the first page only
    let first: unknown[] = [];
    for await (const page of reader('accounts', { window: { until: new Date() } })) {
      first = page.records;
      break;
    }

    // Assess
    expect(first).toEqual(rows.slice(0, 2));
    expect(api.creates()).toBe(1);
    expect(polls(api)).toHaveLength(2);
    expect(resultSets(api).length).toBeGreaterThanOrEqual(1);
    expect(api.deletes()).toBe(1);
  });
});

describe('a job definition', () => {
  const stream = (overrides: Record<string, unknown>) => () =>
    defineSource({
      name: 'bulk-api',
      baseUrl: 'https://example.my.salesforce.invalid',
      streams: { accounts: { path: '/results/{job.id}', ...overrides } },
    });
  const job = bulkSource().streams.accounts!.job!;

  it('takes {job.id} in a job stream only, and not in the create request', () => {
    expect(stream({})).toThrow('streams.accounts.path: {job.id} needs a job stream ("job")');
    expect(
      stream({
        job: { ...job, create: { ...job.create, request: { type: 'json', body: { q: '{job.id}' } } } },
      }),
    ).toThrow('streams.accounts.job.create.request.body.q: {job.id} needs a job stream ("job")');
    expect(stream({ job: { ...job, poll: { ...job.poll, path: '/jobs/{job.name}' } } })).toThrow(
      'streams.accounts.job.poll.path: {job.name}: a job has {job.id} only',
    );
    expect(stream({ job })).not.toThrow();
  });

  it('one job per run: no partitions', () => {
    expect(stream({ job, partitions: [{ a: 1 }] })).toThrow(
      'streams.accounts.job: a job stream creates one job per run; it cannot have partitions',
    );
  });
});
