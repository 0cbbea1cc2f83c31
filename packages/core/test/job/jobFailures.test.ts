/**
 * A job stream's failures, through the handler against the Bulk API 2.0 double: a job that ends
 * `Failed` or `Aborted`, or is gone on poll (404), is a fatal `JobFailedError` with the API's
 * message, the stream and the job id; a job past `maxWaitSeconds` a `JobTimeoutError` naming the job
 * and what to do. And the definition's checks of `job` and `{job.id}`.
 */
import { createHandler, defineSource } from '@tributary/core';
import { captureOutput, createBucket, rejectionOf } from '@tributary/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext } from '../landing/support/context.ts';
import { bulkSource, closeApis, polls, resultSets, start, storeToken, TOKEN } from './support/jobSource.ts';

const lake = { bucket: 'job-failures-test', secretName: 'api-credentials/bulk-api-job-failures-test' };
const { bucket } = lake;

beforeAll(async () => {
  await createBucket(bucket);
  await storeToken(lake);
});
afterEach(closeApis);

describe('a job stream whose job does not finish', () => {
  it.each([
    ['Failed', "INVALID_FIELD: No such column 'Foo' on entity 'Account'"],
    ['Aborted', undefined],
  ] as const)(
    'a job that ends %s is a JobFailedError with the API message, the stream and the job id',
    async (state, errorMessage) => {
      // Prepare
      const api = await start(lake, {
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

  it('a job gone on poll (404: expired or deleted) is a JobFailedError that says so', async () => {
    // Prepare
    await start(lake, { expired: true });

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
    const api = await start(lake, { inProgressPolls: 10_000 });

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

describe('the create request', () => {
  it.each([
    [true, 'is sent again'],
    [false, 'is not sent again (HttpError)'],
  ] as const)('answered 503: with retrySafe %s it %s', async (retrySafe, _what) => {
    // Prepare
    const api = await start(lake, { inProgressPolls: 0, createFailsOnce: true });
    const run = createHandler(bulkSource({}, 'csv', retrySafe));
    const event = { runId: `2026-12-01T06-00-00Z-job-create-503-${retrySafe}`, streams: ['accounts'] };

    // Act
    const outcome = await run(event, budgetContext(Infinity)).then(
      (result) => result.status,
      (error: Error) => error,
    );

    // Assess
    const posts = api.requests.filter((r) => r.method === 'POST');
    if (retrySafe) {
      expect(outcome).toBe('complete');
      expect(posts).toHaveLength(2);
      expect(api.creates()).toBe(1);
    } else {
      expect(outcome).toMatchObject({ name: 'HttpError', status: 503 });
      expect((outcome as Error).message).toContain('set retrySafe: true');
      expect(posts).toHaveLength(1);
      expect(api.creates()).toBe(0);
    }
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
        job: {
          ...job,
          create: { ...job.create, request: { type: 'json', method: 'POST', body: { q: '{job.id}' } } },
        },
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
