/**
 * The `job` stream kind against a loopback API that behaves as Salesforce Bulk API 2.0 query jobs
 * are documented to (support/bulkQueryApi.ts), through the handler: the job is created once, polled
 * until done, its results read through `headerCursor` on `Sforce-Locator`, then deleted; a job still
 * running at the deadline is carried in the continuation and polled again (never re-created); a
 * results walk cut mid-way resumes at its locator; a failed clean-up is logged, not fatal; no secret
 * in any output. Failures: jobFailures.test.ts.
 */
import { gunzipSync } from 'node:zlib';
import { createHandler, type HandlerResult } from '@tributary/core';
import { createReader } from '@tributary/core/definition';
import { captureOutput, createBucket, getObject, listKeys, readLanded } from '@tributary/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext } from '../landing/support/context.ts';
import {
  BASE,
  bulkSource,
  closeApis,
  outputFolder,
  polls,
  resultSets,
  rows,
  start,
  storeToken,
  TOKEN,
} from './support/jobSource.ts';

const lake = { bucket: 'job-stream-test', secretName: 'api-credentials/bulk-api-job-stream-test' };
const { bucket } = lake;

beforeAll(async () => {
  await createBucket(bucket);
  await storeToken(lake);
});
afterEach(closeApis);

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

describe('a job stream', () => {
  it.each(['csv', 'json'] as const)(
    'creates the job once, polls it to JobComplete, reads every %s results set by Sforce-Locator, then deletes it',
    async (format) => {
      // Prepare
      // Each format in its own folder: a first run of its own, from initialSince
      const folder = `${outputFolder}-${format}`;
      const api = await start({ ...lake, folder }, { inProgressPolls: 2, format });
      const runId = `2026-12-01T06-00-00Z-job-happy-${format}`;
      const output = captureOutput();

      // Act
      let result: HandlerResult;
      try {
        result = await createHandler(bulkSource({}, format))(
          { runId, streams: ['accounts'] },
          budgetContext(Infinity),
        );
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
      expect(resultSets(api).map((r) => [r.path, r.query.get('locator'), r.query.get('maxRecords')])).toEqual(
        [
          [`${BASE}/${id}/results`, null, '2'],
          ...['2', '4', '6', '8'].map((offset) => [
            `${BASE}/${id}/results`,
            Buffer.from(offset).toString('base64'),
            '2',
          ]),
        ],
      );
      expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `${BASE}/${id}` });
      const accept = format === 'csv' ? 'text/csv' : 'application/json';
      expect(resultSets(api).every((r) => r.headers.accept === accept)).toBe(true);
      const control = api.requests.filter((r) => !r.path.endsWith('/results'));
      expect(control.map((r) => r.headers.accept)).toEqual(control.map(() => 'application/json'));
      expect(api.deletes()).toBe(1);

      // Assess: landed, and the job is not left in any state
      const landed = await readLanded(bucket, folder, 'accounts', runId);
      expect(landed.records).toEqual(rows);
      expect(result.continuation).toBeNull();

      // Assess: the token went to the API, and nowhere else
      expect(api.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(output.text()).not.toContain(TOKEN);
      expect(JSON.stringify(result)).not.toContain(TOKEN);
      for (const key of await listKeys(bucket, `${folder}/accounts/`)) {
        const body = await getObject(bucket, key);
        expect((key.endsWith('.gz') ? gunzipSync(body) : body).toString()).not.toContain(TOKEN);
      }
    },
  );

  it('carries a job still InProgress at the deadline in the continuation and polls the same job on resume', async () => {
    // Prepare: more polls InProgress than one invocation makes
    const api = await start(lake, { inProgressPolls: 6 });
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
    const api = await start(lake, { inProgressPolls: 0 });
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

  it('a clean-up that fails is logged with the job id, and the run completes', async () => {
    // Prepare
    const api = await start(lake, { inProgressPolls: 0, failDelete: true });
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
});

describe('a job stream read by a reader on its own (pnpm check)', () => {
  it('creates and polls the job, reads the first results set, and cleans up once the reading stops', async () => {
    // Prepare
    const api = await start(lake, { inProgressPolls: 1 });
    const reader = createReader(bulkSource(), { baseUrl: api.url, secretName: lake.secretName });

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
