/**
 * The packaged state machine definition (the one deployed) executed locally through every path,
 * its Lambda and Glue tasks mapped to scripted local functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FATAL_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '@tributary/core/errors';
import {
  type PackagedStateMachine,
  type RunStateMachineOptions,
  runStateMachine,
  TaskError,
} from '@tributary/local-pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  complete,
  FakeSources,
  handlerError,
  manifestOf,
  partial,
  runReportBrief,
} from './support/fakeSources.ts';
import { registeredSources, repoRoot, stateMachine } from './support/packaged.ts';

let sm: PackagedStateMachine;
let sources: string[];

beforeAll(async () => {
  sm = await stateMachine('dev');
  sources = registeredSources();
});

function run(
  fake: FakeSources,
  input: RunStateMachineOptions['input'],
  extra: Partial<RunStateMachineOptions> = {},
) {
  return runStateMachine({
    definition: sm.definition,
    input,
    executionName: 'nightly',
    invokeLambda: fake.invokeLambda,
    startGlueJob: fake.startGlueJob,
    awsSdk: fake.awsSdk,
    ...extra,
  });
}

// The run id: the execution's start date (the local interpreter starts executions now), then its name.
const RUN = `${new Date().toISOString().slice(0, 10)}-nightly`;
const allManifests = (names: string[]) => names.map((s) => manifestOf(RUN, s, 'items'));

describe('ingestion', () => {
  it('runs every registered source by default, then curates all their manifests', async () => {
    const fake = new FakeSources();
    const events: string[] = [];

    const result = await run(fake, {}, { onEvent: (e) => events.push(e.type) });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.invocations.map((i) => i.functionName).sort()).toEqual(
      sources.map((s) => `tributary-dev-${s}`).sort(),
    );
    for (const { payload } of fake.invocations) {
      expect(payload).toEqual({ runId: RUN, source: payload.source, continuation: null });
    }
    expect(fake.glueRequests).toEqual([
      {
        JobName: 'tributary-dev-curate',
        Arguments: { '--run_id': RUN, '--manifests': JSON.stringify(allManifests(sources)) },
      },
    ]);
    expect(result.output).toMatchObject({
      runId: RUN,
      curateOnly: false,
      sources,
      glue: { ok: true, skipped: false, jobRunId: 'jr_1', state: 'SUCCEEDED' },
    });
    expect(events.filter((e) => e === 'MapIterationStarted').length).toBeGreaterThanOrEqual(sources.length);
    expect(events.at(-1)).toBe('ExecutionSucceeded');
  });

  it('runs only the requested sources, once each, passing the window to the handler', async () => {
    const fake = new FakeSources();
    const window = { since: '2026-11-01T00:00:00Z', until: '2026-11-23T00:00:00Z' };

    const result = await run(fake, { sources: ['stripe', 'github', 'stripe'], window });
    const open = await run(fake, { sources: ['socrata'], window: { since: '2026-11-01T00:00:00+01:00' } });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.invocations.map((i) => i.payload)).toEqual([
      { runId: RUN, source: 'stripe', window, continuation: null },
      { runId: RUN, source: 'github', window, continuation: null },
      { runId: RUN, source: 'socrata', window: { since: '2026-11-01T00:00:00+01:00' }, continuation: null },
    ]);
    expect(open.status).toBe('SUCCEEDED');
    expect(fake.manifestsSentToGlue()).toEqual(allManifests(['stripe', 'github']));
  });

  it('collects every stream manifest of a source, across invocations, once each', async () => {
    const fake = new FakeSources().script(
      'github',
      (e) => partial(e, { page: 3 }, ['issues']),
      (e) => partial(e, { page: 7 }, ['issues']),
      (e) => complete(e, ['pulls', 'issues', 'commits']),
    );

    const result = await run(fake, { sources: ['github'] });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.invocationsOf('github').map((i) => i.payload.continuation)).toEqual([
      null,
      { page: 3 },
      { page: 7 },
    ]);
    expect(fake.manifestsSentToGlue()).toEqual(
      ['issues', 'pulls', 'commits'].map((stream) => manifestOf(RUN, 'github', stream)),
    );
    expect(result.output).toMatchObject({ results: [{ source: 'github', ok: true, invocations: 3 }] });
  });

  it('keeps going when one source fails: the others are curated, the error is kept and the run fails naming it', async () => {
    const fake = new FakeSources().script('stripe', () =>
      handlerError('SecretError', 'secret api-credentials/stripe has no key "api_key" [source stripe]'),
    );

    const result = await run(fake, {});

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PipelineFailed');
    expect(result.cause).toContain(
      `run ${RUN}: 1 of ${sources.length} sources failed: stripe (SecretError: `,
    );
    expect(result.cause).toContain('secret api-credentials/stripe has no key');
    expect(result.cause).toContain('The other sources were curated (Glue job run jr_1)');
    // Not retried: a fatal error.
    expect(fake.invocationsOf('stripe')).toHaveLength(1);
    expect(fake.manifestsSentToGlue()).toEqual(allManifests(sources.filter((s) => s !== 'stripe')));
  });

  it.each(FATAL_ERROR_NAMES)(
    'does not retry a source that throws %s: fails it at once, naming the error',
    async (name) => {
      const fake = new FakeSources().script('hotmart', () =>
        handlerError(
          name,
          'cannot read the run state s3://wrong-bucket/_state/hotmart/sales.json: S3 NoSuchBucket',
        ),
      );

      const result = await run(fake, { sources: ['hotmart'] });

      expect(result.status).toBe('FAILED');
      expect(fake.invocationsOf('hotmart')).toHaveLength(1);
      expect(result.events.filter((e) => e.type === 'StateRetried')).toHaveLength(0);
      expect(result.cause).toContain(`hotmart (${name}: `);
    },
  );

  it.each(RETRYABLE_ERROR_NAMES)('retries a source that throws %s, then goes on', async (name) => {
    const fake = new FakeSources().script('hotmart', () =>
      handlerError(name, 'HTTP 503 from /payments [source hotmart]'),
    );

    const result = await run(fake, { sources: ['hotmart'] });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.invocationsOf('hotmart')).toHaveLength(2);
    expect(result.events.filter((e) => e.type === 'StateRetried' && e.state === 'InvokeSource')).toHaveLength(
      1,
    );
    expect(fake.manifestsSentToGlue()).toEqual(allManifests(['hotmart']));
  });

  it.each([
    'Lambda.ServiceException',
    'Lambda.TooManyRequestsException',
    'Lambda.SdkClientException',
    'Lambda.AWSLambdaException',
  ])('retries the transient Lambda error %s', async (error) => {
    const fake = new FakeSources().script('socrata', () => new TaskError(error, 'Rate Exceeded.'));

    const result = await run(fake, { sources: ['socrata'] });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.invocationsOf('socrata')).toHaveLength(2);
  });

  it('fails a source whose transient errors outlast the retries, keeping the error', async () => {
    const always = () => handlerError('TransientError', 'HTTP 503 after 8 attempts [source github]');
    const fake = new FakeSources().script('github', always, always, always, always, always);

    const result = await run(fake, { sources: ['github', 'stripe'] });

    expect(fake.invocationsOf('github')).toHaveLength(4); // 1 + MaxAttempts 3
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('1 of 2 sources failed: github (TransientError: ');
    expect(result.cause).toContain('HTTP 503 after 8 attempts');
    expect(fake.manifestsSentToGlue()).toEqual(allManifests(['stripe']));
  });

  it('fails a source still partial after maxInvocationsPerSource invocations, and goes on', async () => {
    const fake = new FakeSources().script(
      'github',
      ...Array.from(
        { length: 101 },
        (_, i) => (e: Parameters<typeof partial>[0]) => partial(e, { page: i + 1 }),
      ),
    );

    const result = await run(fake, { sources: ['github', 'stripe'] });

    expect(fake.invocationsOf('github')).toHaveLength(100);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('github (TooManyInvocations: still partial after 100 invocations');
    expect(fake.manifestsSentToGlue()).toEqual(allManifests(['stripe']));
  });

  it('fails a source that answers off-contract instead of looping', async () => {
    const fake = new FakeSources().script('github', () => ({ status: 'partial' }));

    const result = await run(fake, { sources: ['github'] });

    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('github (InvalidHandlerResult: the handler returned {"status":"partial"}');
    expect(fake.invocations).toHaveLength(1);
    expect(fake.glueRequests).toEqual([]);
  });

  it('skips Glue when no source succeeds, and names every failed source', async () => {
    const fake = new FakeSources();
    for (const s of sources) fake.script(s, () => handlerError('AuthError', `HTTP 401 from ${s}`));

    const result = await run(fake, {});

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PipelineFailed');
    expect(fake.glueRequests).toEqual([]);
    expect(result.cause).toContain(`${sources.length} of ${sources.length} sources failed`);
    for (const s of sources) expect(result.cause).toContain(`${s} (AuthError: `);
    expect(result.cause).toContain('No manifest to curate, the Glue job was skipped');
  });
});

describe('Glue', () => {
  it('fails the run naming the Glue failure when the job run fails', async () => {
    const fake = new FakeSources().glue({
      JobRunState: 'FAILED',
      ErrorMessage: 'manifest count mismatch in part-00001.ndjson.gz',
    });

    const result = await run(fake, { sources: ['github'] });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PipelineFailed');
    expect(result.cause).toContain(`run ${RUN}: the Glue curate job failed (States.TaskFailed: `);
    expect(result.cause).toContain('manifest count mismatch in part-00001.ndjson.gz');
    expect(result.cause).toContain(`runId to ${RUN}`);
    expect(fake.glueRequests).toHaveLength(1);
  });

  it('names both the failed sources and the Glue failure when both fail', async () => {
    const fake = new FakeSources()
      .script('stripe', () => handlerError('HttpError', 'HTTP 400 from /v1/charges'))
      .glue(new Error('Spark executor lost'));

    const result = await run(fake, { sources: ['stripe', 'github'] });

    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('1 of 2 sources failed: stripe (HttpError: ');
    expect(result.cause).toContain('The Glue curate job failed too (States.TaskFailed: ');
    expect(result.cause).toContain('Spark executor lost');
    expect(fake.manifestsSentToGlue()).toEqual(allManifests(['github']));
  });

  it('waits for a concurrent run of the job and starts again', async () => {
    const fake = new FakeSources().glue(
      new TaskError(
        'Glue.ConcurrentRunsExceededException',
        'Concurrent runs exceeded for tributary-dev-curate',
      ),
    );

    const result = await run(fake, { sources: ['github'] });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.glueRequests).toHaveLength(2);
    expect(fake.glueRequests[1]).toEqual(fake.glueRequests[0]);
  });
});

describe('input validation, before any Lambda runs', () => {
  it.each([
    [
      { sources: ['github', 'gihtub'] },
      'UnknownSource',
      'input.sources[1] is gihtub, which is not a registered source',
    ],
    [{ sources: 'github' }, 'InvalidInput', 'input.sources must be a non-empty list of source names'],
    [{ sources: [] }, 'InvalidInput', 'input.sources must be a non-empty list of source names'],
    [{ sources: [42] }, 'InvalidInput', 'input.sources[0] must be a source name, got 42'],
    [
      { window: { since: 'yesterday' } },
      'InvalidInput',
      'input.window must be an object with since (and optionally until',
    ],
    [{ window: { until: '2026-11-01T00:00:00Z' } }, 'InvalidInput', 'got {"until":"2026-11-01T00:00:00Z"}'],
    [{ window: { since: '2026-11-01' } }, 'InvalidInput', 'RFC 3339 timestamps such as 2026-11-01T00:00:00Z'],
    [{ window: { until: '2026-13-45' } }, 'InvalidInput', 'got {"until":"2026-13-45"}'],
    [{ window: '2026-11-01' }, 'InvalidInput', 'input.window must be an object'],
    [{ window: {} }, 'InvalidInput', 'input.window must be an object'],
    [
      { window: { since: '2026-11-23T00:00:00Z', until: '2026-11-01T00:00:00Z' } },
      'InvalidInput',
      'input.window.since (2026-11-23T00:00:00Z) must be before input.window.until (2026-11-01T00:00:00Z)',
    ],
    [
      { window: { since: '2026-02-30T00:00:00Z', until: '2026-03-05T00:00:00Z' } },
      'InvalidInput',
      'input.window.since (2026-02-30T00:00:00Z) is not a date on the calendar: month 02 of 2026 has no day 30',
    ],
    [
      { window: { since: '2026-11-01T00:00:00Z', until: '2026-11-31T00:00:00Z' } },
      'InvalidInput',
      'input.window.until (2026-11-31T00:00:00Z) is not a date on the calendar: month 11 of 2026 has no day 31',
    ],
    [
      { window: { since: '2026-02-29T00:00:00+01:00', until: '2026-03-05T00:00:00Z' } },
      'InvalidInput',
      'input.window.since (2026-02-29T00:00:00+01:00) is not a date on the calendar: month 02 of 2026 has no day 29',
    ],
    [
      { window: { since: '1900-02-29T00:00:00Z', until: '1900-03-05T00:00:00Z' } },
      'InvalidInput',
      'month 02 of 1900 has no day 29',
    ],
    [
      { window: { since: `${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z` } },
      'InvalidInput',
      `input.window.since (${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z) is not before the execution start`,
    ],
    [['github'], 'InvalidInput', 'the input must be a JSON object'],
    [{ curateOnly: 'yes' }, 'InvalidInput', 'input.curateOnly must be true or false, got "yes"'],
    [{ curateOnly: true }, 'InvalidInput', 'input.curateOnly needs input.runId'],
    [{ curateOnly: true, runId: '' }, 'InvalidInput', 'input.curateOnly needs input.runId'],
    // the example is the runId form the state machine gives a run (and README.md/docs/deploy.md show)
    [{ curateOnly: true }, 'InvalidInput', '{"curateOnly": true, "runId": "2026-11-23-<execution name>"}'],
    [
      { curateOnly: true, runId: 'r1', window: { since: '2026-11-01T00:00:00Z' } },
      'InvalidInput',
      'input.window has no effect with input.curateOnly',
    ],
    [{ curateOnly: true, runId: 'r1', sources: ['nope'] }, 'UnknownSource', 'input.sources[0] is nope'],
  ])('%j fails with %s', async (input, error, cause) => {
    const fake = new FakeSources();

    const result = await run(fake, input);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(result.cause).toContain(cause);
    expect(fake.invocations).toEqual([]);
    expect(fake.glueRequests).toEqual([]);
  });

  it('passes leap days, a past since without until and a future window with its until', async () => {
    const next = new Date().getUTCFullYear() + 1;
    const windows: Record<string, string>[] = [
      { since: '2024-02-29T00:00:00Z', until: '2024-03-01T00:00:00Z' },
      { since: '2000-02-29T23:59:59-05:00' },
      { since: '2028-01-31T00:00:00Z', until: '2028-02-29T00:00:00Z' },
      { since: `${next}-01-01T00:00:00Z`, until: `${next}-01-02T00:00:00Z` },
    ];
    for (const window of windows) {
      const fake = new FakeSources();

      const result = await run(fake, { sources: ['github'], window });

      expect(result.status).toBe('SUCCEEDED');
      expect(fake.invocations.map((i) => i.payload)).toEqual([
        { runId: RUN, source: 'github', window, continuation: null },
      ]);
    }
  });

  it('lists the registered sources when a name is unknown', async () => {
    const result = await run(new FakeSources(), { sources: ['nope'] });
    expect(result.cause).toContain(`registered sources are ${JSON.stringify(sources)}`);
  });
});

describe('curate-only rerun', () => {
  it('runs only the Glue job on the given run, calling no API', async () => {
    const fake = new FakeSources();

    const result = await run(fake, { curateOnly: true, runId: 'run-2026-11-20' });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.invocations).toEqual([]);
    expect(fake.glueRequests).toEqual([
      { JobName: 'tributary-dev-curate', Arguments: { '--run_id': 'run-2026-11-20' } },
    ]);
    expect(result.output).toMatchObject({ runId: 'run-2026-11-20', curateOnly: true, results: [] });
  });

  it('narrows the rerun to the named sources', async () => {
    const fake = new FakeSources();

    const result = await run(fake, {
      curateOnly: true,
      runId: 'run-2026-11-20',
      sources: ['github', 'socrata'],
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.glueRequests[0]?.Arguments).toEqual({
      '--run_id': 'run-2026-11-20',
      '--sources': 'github,socrata',
    });
  });

  it('fails naming the Glue failure and the run to curate again', async () => {
    const fake = new FakeSources().glue({ JobRunState: 'TIMEOUT', ErrorMessage: 'Job run timed out' });

    const result = await run(fake, { curateOnly: true, runId: 'run-2026-11-20' });

    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('run run-2026-11-20: the Glue curate job failed');
    expect(result.cause).toContain('Job run timed out');
  });
});

describe('run report', () => {
  const CURATED = 'tributary-dev-curated-123456789012-eu-west-2';
  const uri = `s3://${CURATED}/_runs/${RUN}.json`;
  const frozenDrift = 'github.issues (new columns x, y)';
  const warnCheck = 'stripe.charges RowCount between 5 and 15 (warn)';

  it('reads the compact report the job wrote and returns it in the output: drift and failed checks per stream', async () => {
    const brief = runReportBrief(RUN, {
      totals: {
        streams: 2,
        streamsFailed: 0,
        recordsLanded: 20,
        rowsInserted: 15,
        rowsUpdated: 5,
        columnsChanged: 1,
        checksFailed: 1,
      },
      streams: [
        {
          source: 'github',
          stream: 'issues',
          status: 'curated',
          schemaContract: 'evolve',
          drift: ['new columns milestone__title'],
          failedChecks: [],
          error: null,
        },
        {
          source: 'stripe',
          stream: 'charges',
          status: 'curated',
          schemaContract: 'evolve',
          drift: [],
          failedChecks: ['RowCount between 5 and 15 (warn)'],
          error: null,
        },
      ],
      drift: 'github.issues (new columns milestone__title)',
      failedChecks: warnCheck,
      findings: `failed checks: ${warnCheck}; drift: github.issues (new columns milestone__title)`,
    });
    const fake = new FakeSources().runReport(brief);

    const result = await run(fake, { sources: ['github', 'stripe'] });

    // a warn-level check and drift under evolve do not fail the run: they are in its output
    expect(result.status).toBe('SUCCEEDED');
    expect(fake.sdkRequests).toEqual([
      { service: 's3', action: 'getObject', parameters: { Bucket: CURATED, Key: `_runs/${RUN}.brief.json` } },
    ]);
    expect((result.output as { report: unknown }).report).toEqual(brief);
    expect(result.output).toMatchObject({
      report: {
        uri,
        status: 'succeeded',
        totals: { checksFailed: 1, columnsChanged: 1 },
        streams: [
          { source: 'github', stream: 'issues', drift: ['new columns milestone__title'] },
          { source: 'stripe', stream: 'charges', failedChecks: ['RowCount between 5 and 15 (warn)'] },
        ],
      },
    });
  });

  it('names drift under freeze and failed checks in the Fail cause when the job fails on them', async () => {
    const fake = new FakeSources()
      .glue({
        JobRunState: 'FAILED',
        ErrorMessage: 'SchemaContractError: github/issues: schemaContract is freeze, but …',
      })
      .runReport(
        runReportBrief(RUN, {
          status: 'failed',
          error: { name: 'SchemaContractError', message: '…', source: 'github', stream: 'issues' },
          driftUnderFreeze: frozenDrift,
          failedChecks: warnCheck,
          findings: `drift under freeze: ${frozenDrift}; failed checks: ${warnCheck}`,
        }),
      );

    const result = await run(fake, { sources: ['github', 'stripe'] });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PipelineFailed');
    expect(result.cause).toContain(`run ${RUN}: the Glue curate job failed (States.TaskFailed: `);
    expect(result.cause).toContain(`runId to ${RUN}.`);
    expect(result.cause).toContain(
      `Run report ${uri}: drift under freeze: ${frozenDrift}; failed checks: ${warnCheck}.`,
    );
  });

  it('quotes the findings of a compact report the curate job really wrote (glue-scripts/tests/fixtures)', async () => {
    const brief = JSON.parse(
      readFileSync(join(repoRoot, 'glue-scripts/tests/fixtures/run-report.brief.json'), 'utf8'),
    ) as { findings: string; uri: string };
    const fake = new FakeSources()
      .glue({ JobRunState: 'FAILED', ErrorMessage: 'SchemaContractError: local.demo.shop_products: …' })
      .runReport({ ...brief, runId: RUN });

    const result = await run(fake, { sources: ['github'] });

    expect(brief.findings).toContain('drift under freeze: shop.products (new columns color)');
    expect(brief.findings).toContain(
      'failed checks: stripe.charges DataFreshness "_cursor" <= 1 hours (warn)',
    );
    expect(result.cause).toContain(`Run report ${brief.uri}: ${brief.findings}.`);
  });

  it('names an error-level failed check (DataQualityError) beside the failed sources', async () => {
    const failed = 'stripe.charges IsUnique "id" (error)';
    const fake = new FakeSources()
      .script('github', () => handlerError('AuthError', 'HTTP 401 from /repos/o/r/issues'))
      .glue({
        JobRunState: 'FAILED',
        ErrorMessage: 'DataQualityError: stripe/charges: 1 error-level check(s) failed',
      })
      .runReport(
        runReportBrief(RUN, {
          status: 'failed',
          error: { name: 'DataQualityError', message: '…', source: 'stripe', stream: 'charges' },
          failedChecks: failed,
          findings: `failed checks: ${failed}`,
        }),
      );

    const result = await run(fake, { sources: ['github', 'stripe'] });

    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('1 of 2 sources failed: github (AuthError: ');
    expect(result.cause).toContain('The Glue curate job failed too (States.TaskFailed: ');
    expect(result.cause).toContain(`Run report ${uri}: failed checks: ${failed}.`);
  });

  it('names the findings of a curated run whose sources partly failed', async () => {
    const fake = new FakeSources()
      .script('stripe', () => handlerError('HttpError', 'HTTP 400 from /v1/charges'))
      .runReport(runReportBrief(RUN, { drift: frozenDrift, findings: `drift: ${frozenDrift}` }));

    const result = await run(fake, { sources: ['stripe', 'github'] });

    expect(result.cause).toContain('The other sources were curated (Glue job run jr_1).');
    expect(result.cause).toContain(`Run report ${uri}: drift: ${frozenDrift}.`);
  });

  it('says there is no run report when the job wrote none, and reads none when Glue was skipped', async () => {
    const noReport = new FakeSources().glue({ JobRunState: 'FAILED', ErrorMessage: 'no manifest of run' });
    const skipped = new FakeSources().script('github', () => handlerError('AuthError', 'HTTP 401'));

    const missing = await run(noReport, { sources: ['github'] });
    const none = await run(skipped, { sources: ['github'] });

    expect(missing.cause).toContain(
      `No run report: _runs/${RUN}.brief.json could not be read (S3.AccessDeniedException)`,
    );
    expect(none.status).toBe('FAILED');
    expect(skipped.sdkRequests).toEqual([]);
    expect(none.cause).toMatch(/the Glue job was skipped\.$/);
  });

  it('says so when the object read is not a compact report', async () => {
    const fake = new FakeSources().glue({ JobRunState: 'FAILED', ErrorMessage: 'boom' });
    fake.curated.set(`_runs/${RUN}.brief.json`, '{"reportVersion":1}');

    const result = await run(fake, { sources: ['github'] });

    expect(result.cause).toContain(
      `The run report _runs/${RUN}.brief.json has no findings (not a run report brief).`,
    );
  });

  it('a succeeded run without a readable report still succeeds, its report null', async () => {
    const result = await run(new FakeSources(), { sources: ['github'] });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ report: null, glue: { ok: true } });
  });

  it('a curate-only rerun reads the report of the run it curated', async () => {
    const fake = new FakeSources().runReport(runReportBrief('run-2026-11-20'));

    const result = await run(fake, { curateOnly: true, runId: 'run-2026-11-20' });

    expect(fake.sdkRequests[0]?.parameters).toEqual({
      Bucket: CURATED,
      Key: '_runs/run-2026-11-20.brief.json',
    });
    expect(result.output).toMatchObject({ report: { runId: 'run-2026-11-20', status: 'succeeded' } });
  });
});
