/**
 * Backfill fan-out (issue 16 item 5) in the packaged state machine, executed locally: the input's
 * `slice`, the split asked of the source's Lambda, the slices run in a Map at most
 * `backfillConcurrency` at once (each looping on its continuation), one curate of every slice's
 * manifests, a failed slice named with the input that reruns it alone, and that rerun.
 * The Lambdas are scripted stand-ins (support/fakeSources.ts) whose split answers as the handler's
 * does (core's splitWindow); test/e2e/backfill.test.ts runs the same path on real handlers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue, PackagedStateMachine, RunStateMachineOptions } from '@tributary/local-pipeline';
import { runStateMachine } from '@tributary/local-pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { sliceIdOf, splitWindow } from '../../packages/core/src/run/slices.ts';
import { complete, FakeSources, handlerError, type Invocation, partial } from './support/fakeSources.ts';
import { repoRoot, stateMachine } from './support/packaged.ts';

let sm: PackagedStateMachine;
beforeAll(async () => {
  sm = await stateMachine('dev');
});

const RUN = `${new Date().toISOString().slice(0, 10)}-backfill`;
// 12 weeks: 12 slices of P7D
const WINDOW = { since: '2025-01-01T00:00:00Z', until: '2025-03-26T00:00:00Z' };
const SLICES = splitWindow({ since: new Date(WINDOW.since), until: new Date(WINDOW.until) }, 'P7D', {
  source: 'github',
  field: 'split',
});

/** A manifest URI as the handler gives a slice's (`run_id=<runId>.slice-<bounds>`), else the run's. */
const manifestOf = (event: Invocation['payload'], stream = 'items') => {
  const folder = event.slice ? `${event.runId}.slice-${sliceIdOf(event.window as never)}` : event.runId;
  return `s3://raw/${event.source}/${stream}/import_date=20261123/run_id=${folder}/_manifest.json`;
};

/**
 * FakeSources whose Lambdas also answer `split` as the handler does, and whose manifests carry the
 * slice; counts the invocations in flight per source.
 */
class BackfillSources extends FakeSources {
  /** FakeSources' own answer (recorded, scripted). */
  private readonly base: FakeSources['invokeLambda'];
  constructor() {
    super();
    this.base = this.invokeLambda;
    this.invokeLambda = this.answer;
  }
  inFlight = 0;
  mostInFlight = 0;
  splits: Invocation['payload'][] = [];
  /** The definition's backfill.slice, per source, for `split: "default"`. */
  defaults: Record<string, string> = {};

  private answer = async (functionName: string, payload: JsonValue): Promise<JsonValue> => {
    const event = payload as Invocation['payload'];
    if (event.split) {
      this.splits.push(structuredClone(event));
      const w = event.window as { since: string; until: string };
      const length = event.split === 'default' ? this.defaults[event.source] : String(event.split);
      if (!length) throw handlerError('EventValidationError', 'no backfill.slice');
      try {
        const slices = splitWindow({ since: new Date(w.since), until: new Date(w.until) }, length, {
          source: event.source,
          field: 'split',
        });
        return {
          ...event,
          status: 'split',
          slices: slices.map((window) => ({ window: { ...window }, slice: true })),
        } as JsonValue;
      } catch (e) {
        throw handlerError('EventValidationError', (e as Error).message);
      }
    }
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    try {
      // Let the other iterations of the Map start while this one is "running".
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      const reply = (await this.base(functionName, payload)) as { streams?: { manifest: string | null }[] };
      for (const s of reply.streams ?? []) if (s.manifest) s.manifest = manifestOf(event);
      return reply as JsonValue;
    } finally {
      this.inFlight--;
    }
  };
}

function run(fake: FakeSources, input: RunStateMachineOptions['input'], executionName = 'backfill') {
  return runStateMachine({
    definition: sm.definition,
    input,
    executionName,
    invokeLambda: fake.invokeLambda,
    startGlueJob: fake.startGlueJob,
    awsSdk: fake.awsSdk,
  });
}

describe('a backfill in slices', () => {
  it('splits the window, runs each slice at most 4 at once, loops on continuations, and curates every slice once', async () => {
    // Prepare: the third slice needs two invocations
    const fake = new BackfillSources().script(
      'github',
      ...SLICES.map(
        () => (e: Invocation['payload']) =>
          (e.window as { since: string }).since === SLICES[2]!.since && e.continuation === null
            ? partial(e, { page: 2 })
            : complete(e),
      ),
      (e) => complete(e),
    );

    // Act
    const result = await run(fake, { sources: ['github'], window: WINDOW, slice: 'P7D' });

    // Assess: one split, then 12 slices (one of them twice), each its own window and flag
    expect(result.status).toBe('SUCCEEDED');
    expect(fake.splits).toEqual([{ runId: RUN, source: 'github', window: WINDOW, split: 'P7D' }]);
    const runs = fake.invocationsOf('github');
    expect(runs).toHaveLength(13);
    const firsts = runs.filter((i) => i.payload.continuation === null).map((i) => i.payload);
    expect(
      firsts.map((p) => p.window).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(SLICES);
    for (const p of firsts)
      expect(p).toEqual({ runId: RUN, source: 'github', window: p.window, slice: true, continuation: null });
    expect(runs.filter((i) => i.payload.continuation !== null).map((i) => i.payload)).toEqual([
      { runId: RUN, source: 'github', window: SLICES[2], slice: true, continuation: { page: 2 } },
    ]);
    // backfillConcurrency (dev: 4): never more at once, and more than one
    expect(fake.mostInFlight).toBeLessThanOrEqual(4);
    expect(fake.mostInFlight).toBeGreaterThan(1);
    // One curate: the 12 slices' manifests, each once, under the run's id
    expect(fake.glueRequests).toHaveLength(1);
    expect(fake.glueRequests[0]!.Arguments!['--run_id']).toBe(RUN);
    expect([...fake.manifestsSentToGlue()].sort()).toEqual(
      SLICES.map(
        (w) =>
          `s3://raw/github/items/import_date=20261123/run_id=${RUN}.slice-${sliceIdOf(w)}/_manifest.json`,
      ).sort(),
    );
    expect(result.output).toMatchObject({
      runId: RUN,
      results: [{ source: 'github', ok: true, invocations: 13, slices: 12, failedSlices: 0 }],
    });
  });

  it('splits each source of the input; a source without a window of its own is not split', async () => {
    const fake = new BackfillSources();

    const sliced = await run(fake, { sources: ['github', 'stripe'], window: WINDOW, slice: 'P30D' });
    const incremental = await run(fake, { sources: ['github'] }, 'nightly');

    expect(sliced.status).toBe('SUCCEEDED');
    expect(fake.splits.map((s) => s.source).sort()).toEqual(['github', 'stripe']);
    expect(fake.invocationsOf('stripe')).toHaveLength(3); // 84 days by 30
    expect(incremental.status).toBe('SUCCEEDED');
    expect(fake.splits).toHaveLength(2);
    expect(fake.invocations.at(-1)!.payload).toEqual({
      runId: `${RUN.slice(0, 10)}-nightly`,
      source: 'github',
      continuation: null,
    });
  });

  it('names a failed slice by source and bounds, curates the other slices, and its rerun input lands that slice alone', async () => {
    // Prepare: the sixth slice fails (a fatal error: not retried)
    const failing = SLICES[5]!;
    const fake = new BackfillSources().script(
      'github',
      ...SLICES.map(
        () => (e: Invocation['payload']) =>
          (e.window as { since: string }).since === failing.since
            ? handlerError('HttpError', 'HTTP 400 from /issues?since=2025-02-05 [source github]')
            : complete(e),
      ),
    );

    // Act
    const result = await run(fake, { sources: ['github'], window: WINDOW, slice: 'P7D' });

    // Assess: the execution fails naming the slice and the input that reruns it
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PipelineFailed');
    const rerun = { runId: RUN, sources: ['github'], window: failing, slice: 'P7D' };
    expect(result.cause).toContain(
      `github (SliceFailed: 1 of 12 slices failed: slice ${failing.since} to ${failing.until} (HttpError: `,
    );
    expect(result.cause).toContain('HTTP 400 from /issues?since=2025-02-05');
    expect(result.cause).toContain(`rerun it alone with the input ${JSON.stringify(rerun)}`);
    // the 11 others are curated in the same run
    const curated = fake.manifestsSentToGlue();
    expect(curated).toHaveLength(11);
    expect(curated.some((m) => m.includes(sliceIdOf(failing)))).toBe(false);

    // Act: the rerun, exactly as the cause gives it
    const again = new BackfillSources();
    const second = await run(again, rerun as unknown as JsonValue, 'rerun');

    // Assess: the same runId and the slice's window: one slice, the same keys
    expect(second.status).toBe('SUCCEEDED');
    expect(again.invocations.map((i) => i.payload)).toEqual([
      { runId: RUN, source: 'github', window: failing, slice: true, continuation: null },
    ]);
    // curated as the whole run of its sources (the job finds every slice's manifest): an append
    // stream's curate replaces the run's rows, so the rerun slice alone would drop the other eleven
    expect(again.glueRequests).toEqual([
      { JobName: 'tributary-dev-curate', Arguments: { '--run_id': RUN, '--sources': 'github' } },
    ]);
  });

  it("slices a source by its definition's default when the input names no slice (slicedByDefault)", async () => {
    // The packaged definition with one transformation: hotmart listed in Init's slicedByDefault (as
    // serverless.yml's custom.slicedByDefault lists every source whose definition declares backfill.slice).
    const definition = structuredClone(sm.definition);
    (definition.States.Init as { Parameters: Record<string, JsonValue> }).Parameters.slicedByDefault = [
      'hotmart',
    ];
    const fake = new BackfillSources();
    fake.defaults.hotmart = 'P28D';

    const result = await runStateMachine({
      definition,
      input: { sources: ['hotmart', 'github'], window: WINDOW },
      executionName: 'backfill',
      invokeLambda: fake.invokeLambda,
      startGlueJob: fake.startGlueJob,
      awsSdk: fake.awsSdk,
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(fake.splits).toEqual([{ runId: RUN, source: 'hotmart', window: WINDOW, split: 'default' }]);
    expect(fake.invocationsOf('hotmart').map((i) => i.payload.window)).toHaveLength(3);
    expect(fake.invocationsOf('github').map((i) => i.payload)).toEqual([
      { runId: RUN, source: 'github', window: WINDOW, continuation: null },
    ]);
  });
});

describe('slice input validation', () => {
  it.each([
    [{ sources: ['github'], slice: 'P7D' }, 'InvalidInput', 'input.slice ("P7D") needs input.window'],
    [
      { window: WINDOW, slice: 7 },
      'InvalidInput',
      'input.slice must be an ISO-8601 duration of weeks, days, hours or minutes such as P7D, PT6H or P1DT12H (the length of each slice of the window), got 7',
    ],
    [{ window: WINDOW, slice: '7D' }, 'InvalidInput', 'input.slice must be an ISO-8601 duration'],
    [
      { curateOnly: true, runId: 'r1', slice: 'P7D' },
      'InvalidInput',
      'input.slice has no effect with input.curateOnly',
    ],
    [
      { runId: '', window: WINDOW },
      'InvalidInput',
      'input.runId must be the runId of the earlier run to rerun',
    ],
    [{ runId: 42, window: WINDOW }, 'InvalidInput', 'got 42'],
  ])('%j fails with %s before any Lambda runs', async (input, error, cause) => {
    const fake = new BackfillSources();

    const result = await run(fake, input as JsonValue);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(result.cause).toContain(cause);
    expect(fake.invocations).toEqual([]);
    expect(fake.splits).toEqual([]);
  });

  it.each([
    ['P1M', 'has years or months, whose length varies; give weeks, days, hours or minutes, e.g. "P30D"'],
    ['PT1H', 'into 2016 slices, more than 200; give a longer slice'],
    ['P1.5D', 'is not an ISO-8601 duration of weeks, days, hours or minutes'],
  ])(
    'a slice the split refuses (%s) fails the execution with InvalidInput before any ingest',
    async (slice, message) => {
      const fake = new BackfillSources();

      const result = await run(fake, { sources: ['github', 'stripe'], window: WINDOW, slice });

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('InvalidInput');
      expect(result.cause).toContain(`input.slice: source `);
      expect(result.cause).toContain(`cannot split input.window ${JSON.stringify(WINDOW)} by ${slice}: `);
      expect(result.cause).toContain(message);
      expect(fake.invocations).toEqual([]);
      expect(fake.glueRequests).toEqual([]);
    },
  );
});

describe('overlap: a scheduled run and a console backfill of one source at once', () => {
  it('run side by side under their own run ids, each curated with its own manifests', async () => {
    const fake = new BackfillSources();

    const [scheduled, backfill] = await Promise.all([
      run(fake, { sources: ['github'] }, 'schedule-1'),
      run(fake, { sources: ['github'], window: WINDOW, slice: 'P7D' }, 'console-1'),
    ]);

    expect([scheduled.status, backfill.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const day = RUN.slice(0, 10);
    expect(scheduled.output).toMatchObject({ runId: `${day}-schedule-1` });
    expect(backfill.output).toMatchObject({ runId: `${day}-console-1` });
    const ofRun = (id: string) => fake.invocations.filter((i) => i.payload.runId === id);
    expect(ofRun(`${day}-schedule-1`).map((i) => i.payload)).toEqual([
      { runId: `${day}-schedule-1`, source: 'github', continuation: null },
    ]);
    expect(ofRun(`${day}-console-1`)).toHaveLength(12);
    const args = fake.glueRequests.map((r) => r.Arguments!);
    expect(args.map((a) => a['--run_id']).sort()).toEqual([`${day}-console-1`, `${day}-schedule-1`]);
    for (const a of args) {
      for (const m of JSON.parse(a['--manifests']!) as string[])
        expect(m).toContain(`run_id=${a['--run_id']}`);
    }
  });
});

describe('the packaged definition', () => {
  it('runs the slices of one source at most backfillConcurrency at once (a stage param, 4 by default)', async () => {
    // The stage param, substituted at package time (serverless.yml params)
    const yml = readFileSync(join(repoRoot, 'serverless.yml'), 'utf8');
    expect(yml).toMatch(/^ {4}backfillConcurrency: 4$/m);
    const asl = readFileSync(join(repoRoot, 'stepfunctions/ingest.asl.yml'), 'utf8');
    expect(asl).toMatch(/ItemsPath: \$\.plan\.slices\n\s+MaxConcurrency: \$\{param:backfillConcurrency\}\n/);
    const prod = await stateMachine('prod');
    type Maps = Record<
      string,
      { MaxConcurrency: number; ItemProcessor: { States: Record<string, unknown> } }
    >;
    for (const { States } of [sm.definition, prod.definition] as unknown as { States: Maps }[]) {
      const slices = States.Ingest!.ItemProcessor.States.Slices;
      expect(slices).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.slices', MaxConcurrency: 4 });
      expect(States.Plan!.MaxConcurrency).toBe(States.Ingest!.MaxConcurrency);
    }
  });
});
