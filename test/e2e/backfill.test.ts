/**
 * Issue 16 items 5 and 6, done when: the packaged state machine, executed locally, runs real handlers
 * (core's createHandler, in-process) against a loopback API that refuses the (N + 1)-th request in
 * any 1 s window (testkit strictWindow), with S3, Secrets Manager and the DynamoDB coordination
 * store on moto. A 12-slice backfill at backfillConcurrency 4 and a scheduled incremental run of the
 * same source run at once, sharing one rate budget (rateLimit.scope credential): 0 × 429, never more
 * than N in a window. One slice fails (a 400 the first time), is named with its rerun input, and
 * the rerun lands it alone: every record of the window lands exactly once across the twelve slices'
 * manifests (eleven curated by the first execution; the rerun's curate takes the whole run). The
 * watermark stays the incremental run's, and the next incremental run starts from it.
 *
 * The Glue curate is a recording stand-in here (no Spark): glue-scripts/tests/test_runs.py curates
 * every slice of a run in one job, test_manifests_args.py finds them all for a curate-only rerun.
 */
import { createHandler, defineSource } from '@tributary/core';
import {
  type GlueJobRequest,
  localLambdas,
  type PackagedStateMachine,
  runStateMachine,
  TaskError,
} from '@tributary/local-pipeline';
import {
  type ApiRequest,
  createBucket,
  createSecret,
  getJson,
  type LoopbackApi,
  listKeys,
  readRecords,
  startApi,
  strictWindow,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinationTable } from '../../packages/core/test/run/coordination/support.ts';
import { stateMachine } from '../stepfunctions/support/packaged.ts';

const N = 8;
const bucket = `e2e-backfill-${process.pid}`;
const secretName = `api-credentials/e2e-backfill-${process.pid}-${Date.now()}`;
const outputFolder = 'github';
const PAGE = 30;
const DAY = new Date().toISOString().slice(0, 10);
const H = 3_600_000;

// The backfill: 12 weeks, one record every 2 hours (on every slice boundary too); the incremental
// runs read from November 2026.
const WINDOW = { since: '2025-01-01T00:00:00Z', until: '2025-03-26T00:00:00Z' };
type Row = { id: string; at: string };
const rows: Row[] = [];
for (let t = Date.parse(WINDOW.since); t < Date.parse(WINDOW.until); t += 2 * H)
  rows.push({ id: `b${t}`, at: new Date(t).toISOString() });
const inWindow = rows.map((r) => r.id);
for (let t = Date.parse('2026-11-01T00:00:00Z'); t <= Date.parse('2026-11-20T12:00:00Z'); t += 12 * H)
  rows.push({ id: `r${t}`, at: new Date(t).toISOString() });
const FAILING = { since: '2025-02-05T00:00:00.000Z', until: '2025-02-12T00:00:00.000Z' };

/** The stand-in source: a registered name (the state machine checks it), one incremental stream. */
const source = defineSource({
  name: 'github',
  baseUrl: 'https://api.example.invalid',
  auth: { type: 'bearer', secretKey: 'token' },
  rateLimit: { requestsPerSecond: N, concurrency: 2, scope: 'credential' },
  retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50, maxTotalWaitMs: 10_000 },
  streams: {
    events: {
      path: '/events',
      primaryKey: 'id',
      paginator: { type: 'page' },
      incremental: {
        cursorField: 'at',
        params: { since: '{since}', until: '{until}' },
        lookbackSeconds: 3600,
        initialSince: '2026-11-01T00:00:00Z',
      },
    },
  },
});

let failSliceOnce = true;
/** `/events?since&until&page`: records with since ≤ at < until (half-open, as slices are), PAGE a page. */
const events = (req: ApiRequest) => {
  if (req.headers.authorization !== 'Bearer t0k3n') return { status: 401, body: { message: 'bad token' } };
  const since = Date.parse(req.query.get('since') ?? '');
  const until = Date.parse(req.query.get('until') ?? '');
  if (failSliceOnce && since === Date.parse(FAILING.since)) {
    failSliceOnce = false;
    return { status: 400, body: { message: 'since: invalid for this account (scripted by the test)' } };
  }
  const page = Number(req.query.get('page'));
  const match = rows.filter((r) => Date.parse(r.at) >= since && Date.parse(r.at) < until);
  return { body: match.slice((page - 1) * PAGE, page * PAGE) };
};

let sm: PackagedStateMachine;
let api: LoopbackApi;
const server = strictWindow(events, { limit: N, windowMs: 1000 });
const glue: GlueJobRequest[] = [];

beforeAll(async () => {
  sm = await stateMachine('dev');
  api = await startApi(server.route);
  await createBucket(bucket);
  await createSecret(secretName, { token: 't0k3n' });
  Object.assign(process.env, {
    TARGET_S3_BUCKET_NAME: bucket,
    OUTPUT_FOLDER: outputFolder,
    API_BASE_URL: api.url,
    SECRET_NAME: secretName,
    COORDINATION_TABLE: await coordinationTable('e2e-backfill'),
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
}, 300_000);
afterAll(async () => {
  await api?.close();
});

const invokeLambda = localLambdas({ 'tributary-dev-github': createHandler(source) });
const execute = (input: Record<string, unknown>, executionName: string) =>
  runStateMachine({
    definition: sm.definition,
    input: input as never,
    executionName,
    invokeLambda,
    startGlueJob: (request) => {
      glue.push(structuredClone(request));
      return { JobRunState: 'SUCCEEDED', Id: `jr_${glue.length}` };
    },
    // The stand-in writes no run report: reading one is refused, as S3 refuses a missing key to a
    // role without ListBucket (the output's `report` is then null).
    awsSdk: () => {
      throw new TaskError('S3.AccessDeniedException', 'Access Denied');
    },
    retryIntervalMs: 0,
  });

/** The record ids the parts of these manifests list, in order. */
async function idsOf(manifests: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const uri of manifests) {
    const key = uri.replace(`s3://${bucket}/`, '');
    const prefix = key.replace(/_manifest\.json$/, '');
    const manifest = await getJson<{ parts: { key: string }[] }>(bucket, key);
    const landed = await readRecords(bucket, prefix);
    expect(manifest.parts.length).toBeGreaterThan(0);
    ids.push(...landed.map((r) => String(r.id)));
  }
  return ids;
}
const manifestsOf = (request: GlueJobRequest) => JSON.parse(request.Arguments!['--manifests']!) as string[];

describe('e2e: a 12-slice backfill beside the scheduled run, one rate budget', () => {
  it('lands every record of the window exactly once with 0 × 429, names the failed slice, and its rerun lands it alone', async () => {
    // Act: the console backfill and the schedule's run at once, then the failed slice's rerun
    const [backfill, scheduled] = await Promise.all([
      execute({ sources: ['github'], window: WINDOW, slice: 'P7D' }, 'console'),
      execute({ sources: ['github'] }, 'schedule'),
    ]);
    const rerunInput = { runId: `${DAY}-console`, sources: ['github'], window: FAILING, slice: 'P7D' };
    expect(backfill.cause).toContain(`rerun it alone with the input ${JSON.stringify(rerunInput)}`);
    const rerun = await execute(rerunInput, 'console-rerun');

    // Assess: the limit held across every Lambda of the credential
    expect(server.refused()).toBe(0);
    expect(server.mostInWindow()).toBeLessThanOrEqual(N);
    // the failed slice is named by source and bounds; the others curated in that run
    expect(backfill.status).toBe('FAILED');
    expect(backfill.cause).toContain(
      `github (SliceFailed: 1 of 12 slices failed: slice ${FAILING.since} to ${FAILING.until} (HttpError: `,
    );
    expect([scheduled.status, rerun.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // Two run ids; the backfill's two curates (11 slices, then the rerun's one) under its own
    const byRun = (runId: string) => glue.filter((g) => g.Arguments!['--run_id'] === runId);
    const [first, again] = byRun(`${DAY}-console`);
    const [nightly] = byRun(`${DAY}-schedule`);
    expect(manifestsOf(first!)).toHaveLength(11);
    // the rerun is curated as the whole run (the job finds every slice's manifest)
    expect(again!.Arguments).toEqual({ '--run_id': `${DAY}-console`, '--sources': 'github' });
    // the raw zone holds twelve slice manifests of the run, one per slice: the eleven curated first
    // and the rerun's
    const keys = await listKeys(bucket, `${outputFolder}/events/`);
    const sliceManifests = keys
      .filter((k) => k.includes(`run_id=${DAY}-console.slice-`) && k.endsWith('_manifest.json'))
      .map((k) => `s3://${bucket}/${k}`);
    expect(sliceManifests).toHaveLength(12);
    expect(sliceManifests).toEqual(expect.arrayContaining(manifestsOf(first!)));
    expect(sliceManifests.filter((m) => !manifestsOf(first!).includes(m))).toEqual([
      expect.stringContaining(
        `/run_id=${DAY}-console.slice-20250205T000000Z-20250212T000000Z/_manifest.json`,
      ),
    ]);
    // every record of the window exactly once, across all twelve slices
    const landed = await idsOf(sliceManifests);
    expect(landed.length).toBe(inWindow.length);
    expect([...landed].sort()).toEqual([...inWindow].sort());
    // the scheduled run: its own run id, the November records, and the watermark is its own
    expect(await idsOf(manifestsOf(nightly!))).toEqual(
      rows.filter((r) => r.id.startsWith('r')).map((r) => r.id),
    );
    const state = await getJson<{ watermark: string; runId: string }>(
      bucket,
      `_state/${outputFolder}/events.json`,
    );
    expect(state).toMatchObject({ watermark: '2026-11-20T12:00:00.000Z', runId: `${DAY}-schedule` });
  }, 300_000);

  it('the next incremental run starts from the watermark the schedule left, minus the lookback', async () => {
    // Prepare: a new record after the watermark
    const fresh = { id: 'new-1', at: new Date(Date.now() - 60_000).toISOString() };
    rows.push(fresh);

    const next = await execute({ sources: ['github'] }, 'schedule-2');

    expect(next.status).toBe('SUCCEEDED');
    const [request] = glue.filter((g) => g.Arguments!['--run_id'] === `${DAY}-schedule-2`);
    const [uri] = manifestsOf(request!);
    const manifest = await getJson<{ window: { since: string } }>(
      bucket,
      uri!.replace(`s3://${bucket}/`, ''),
    );
    expect(manifest.window.since).toBe('2026-11-20T11:00:00.000Z');
    expect(await idsOf([uri!])).toEqual([`r${Date.parse('2026-11-20T12:00:00Z')}`, 'new-1']);
    expect(server.refused()).toBe(0);
    const state = await getJson<{ watermark: string }>(bucket, `_state/${outputFolder}/events.json`);
    expect(state.watermark).toBe(fresh.at);
  }, 120_000);
});
