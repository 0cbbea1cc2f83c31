/**
 * The floor's fan-out case (bench/README.md, "The backfill fan-out"): a backfill split into slices,
 * `processes` slices at once, each in its own process running the core's real handler with its
 * slice's event (`window` + `slice: true`, looping on its continuation), as the state machine's
 * slice Map runs them, all of one credential: one rate budget shared through the coordination store
 * (`rateLimit.scope: 'credential'`, `COORDINATION_TABLE`: a DynamoDB table on moto that this module
 * creates), against the limited API (strict `limit` requests in any sliding window).
 *
 * Figures: wall time from `'go'` (every process built its handler and said it is ready) to the last
 * result, against the floor (requests ÷ limit); 429s and the most requests in any window, as the
 * server counted them; the achieved rate at the server, (arrivals − 1) ÷ (last arrival − first), as
 * a share of the limit (issue 16's goal: ≥ 90 % with 8 processes, 0 × 429); the records landed,
 * read back from S3 and counted (records, distinct keys), and one manifest per slice. A run that
 * drops or doubles a record is failed, however fast it was.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ApiStats } from '../api/limitedServer.ts';
import { BASE_TIME } from '../api/records.ts';
import type { LimitedApi } from '../api/startApi.ts';
import { fanOutSlices, type SliceWindow } from '../contenders/floorCase.ts';
import type { ContenderConfig, ContenderResult } from '../contenders/measure.ts';
import type { AwsCall } from './countingProxy.ts';
import { type Landed, readBackS3 } from './readBack.ts';
import { AWS_ENV } from './runIngest.ts';

export interface FanOutPlan {
  records: number;
  pageSize: number;
  /** Slices run at once, one process each (the Map's concurrency); the window is split into as many. */
  processes: number;
  /** The server's limit per window and the window, ms. */
  limit: number;
  windowMs: number;
  latencyMs: number;
}

export interface FanOutContext {
  script: string;
  /** Where the processes' AWS requests go (S3 and DynamoDB): the counting proxy, or moto itself. */
  awsEndpoint: string;
  motoEndpoint: string;
  bucket: string;
  s3: S3Client;
  api: Pick<LimitedApi, 'base' | 'stats' | 'reset'>;
  /** A key prefix for this case, e.g. `floor/tributary/fan-out-8`. */
  prefix: string;
  runId: string;
  logDir: string;
  takeAwsCalls?: () => Partial<Record<AwsCall, number>>;
  /** The coordination store's round trips as the counting proxy saw them, ms. */
  takeDynamoMs?: () => number[];
}

export interface FanOutRun {
  processes: number;
  slices: SliceWindow[];
  /** Requests a complete read needs: one per page of each slice. */
  requests: number;
  floorSeconds: number;
  burstFloorSeconds: number;
  /** The bound for processes that each fetch one page at a time: the longest slice × mean latency. */
  oneAtATimeSeconds: number;
  ok: boolean;
  error?: string;
  /** From 'go' to the last process's result. */
  wallMs: number;
  /** From the first fork to every process ready (Node, the bundle, the handler built): not in wallMs. */
  startUpMs: number;
  /** All processes' CPU time (user + sys) during the work, summed. */
  cpuMs: number;
  /** The largest process's peak RSS. */
  peakRssBytes: number;
  /** Each process: records it says it landed, its wall, its invocations. */
  perProcess: { records: number; wallMs: number; cpuMs: number; invocations: number; manifests: number }[];
  server: ApiStats;
  /** (arrivals − 1) ÷ (last arrival − first arrival), requests per second. */
  achievedPerSecond: number;
  /** achievedPerSecond as a share of the limit's rate. */
  achievedShare: number;
  landed: Landed;
  /** Slice manifests under the prefix (one per slice when all completed). */
  manifests: number;
  awsCalls?: Partial<Record<AwsCall, number>>;
  /**
   * The coordination store's round trips during the run (moto behind the proxy), ms: a grant is
   * placed ahead by the measured write round trip (at least LEAD_MS, 50), so a slow store delays
   * starts instead of wasting grants (before the lead was adaptive, round trips beyond ~65 ms did).
   */
  storeRoundTripMs?: { p50: number; p95: number; max: number };
}

/** The q-quantile (nearest rank) of values. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;
}

/** Requests the slices need: one per page, at least one per slice (an empty slice still asks once). */
export function fanOutRequests(records: number, processes: number, pageSize: number): number {
  let pages = 0;
  for (let k = 0; k < processes; k++) {
    const n = Math.floor(((k + 1) * records) / processes) - Math.floor((k * records) / processes);
    pages += Math.max(1, Math.ceil(n / pageSize));
  }
  return pages;
}

/** The rate a server saw, between its first and its last arrival (one interval per arrival after the first). */
export function achievedRate(s: Pick<ApiStats, 'requests' | 'firstAt' | 'lastArrivalAt'>): number {
  const span = s.lastArrivalAt - s.firstAt;
  return s.requests > 1 && span > 0 ? ((s.requests - 1) * 1000) / span : Number.NaN;
}

/** A coordination table shaped like stepfunctions/resources/coordination.yml, on moto. */
export async function createCoordinationTable(
  endpoint: string,
  name: string,
): Promise<{ name: string; remove(): Promise<void> }> {
  const client = new DynamoDBClient({
    endpoint,
    region: AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  return {
    name,
    remove: async () => {
      await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
      client.destroy();
    },
  };
}

interface Child {
  child: ChildProcess;
  ready: Promise<void>;
  result: Promise<ContenderResult>;
}

function startSlice(
  script: string,
  config: ContenderConfig,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[],
  logFile: string,
): Child {
  const log = openSync(logFile, 'a');
  const child = fork(script, [JSON.stringify(config)], {
    execArgv: nodeArgs,
    env,
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const ready = new Promise<void>((ok, fail) => {
    const onMessage = (m: unknown) => {
      if (m && typeof m === 'object' && 'ready' in m) {
        child.off('message', onMessage);
        ok();
      }
    };
    child.on('message', onMessage);
    void exited.then((code) => fail(new Error(`slice process exited (${code}) before it was ready`)));
  });
  const result = new Promise<ContenderResult>((ok) => {
    child.on('message', (m) => {
      if (m && typeof m === 'object' && 'ok' in m) ok(m as ContenderResult);
    });
    void exited.then((code) =>
      ok({
        ok: false,
        error: `slice process exited (code ${code}) without a result; see ${logFile}`,
        records: 0,
        wallMs: Number.NaN,
        cpuUserMs: Number.NaN,
        cpuSystemMs: Number.NaN,
        peakRssBytes: Number.NaN,
      }),
    );
  });
  return { child, ready, result };
}

async function countManifests(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    n += (page.Contents ?? []).filter(
      (o) => o.Key?.includes('.slice-') && o.Key.endsWith('/_manifest.json'),
    ).length;
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

/**
 * Runs one fan-out case: `processes` slices at once. `nodeArgs`: the Lambda V8 flags every contender
 * gets. The caller resets the API before and empties the bucket after.
 */
export async function runFanOut(
  plan: FanOutPlan,
  ctx: FanOutContext,
  nodeArgs: string[],
): Promise<FanOutRun> {
  const slices = fanOutSlices(plan.records, plan.processes, BASE_TIME);
  const requests = fanOutRequests(plan.records, plan.processes, plan.pageSize);
  const perSecond = (plan.limit * 1000) / plan.windowMs;
  const longest = Math.max(1, Math.ceil(Math.ceil(plan.records / plan.processes) / plan.pageSize));
  const table = await createCoordinationTable(ctx.motoEndpoint, `bench-coordination-${ctx.runId}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...AWS_ENV,
    AWS_ENDPOINT_URL: ctx.awsEndpoint,
    TARGET_S3_BUCKET_NAME: ctx.bucket,
    OUTPUT_FOLDER: ctx.prefix,
    API_BASE_URL: ctx.api.base,
    COORDINATION_TABLE: table.name,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  const children: Child[] = [];
  const forkedAt = performance.now();
  try {
    await ctx.api.reset();
    for (const [k, slice] of slices.entries()) {
      const config: ContenderConfig = {
        apiUrl: `${ctx.api.base}/v1/orders`,
        apiBase: ctx.api.base,
        records: plan.records,
        bucket: ctx.bucket,
        prefix: ctx.prefix,
        runId: ctx.runId,
        fanOut: { requestsPerSecond: perSecond, concurrency: 4, slice },
      };
      children.push(
        startSlice(
          ctx.script,
          config,
          env,
          nodeArgs,
          join(ctx.logDir, `floor-tributary-fan-out-${plan.processes}-${k}.log`),
        ),
      );
    }
    await Promise.all(children.map((c) => c.ready));
    ctx.takeAwsCalls?.(); // the processes' start-up (none expected) is not the run's
    ctx.takeDynamoMs?.();
    const t0 = performance.now();
    const startUpMs = t0 - forkedAt;
    for (const c of children) c.child.send('go');
    const results = await Promise.all(children.map((c) => c.result));
    const wallMs = performance.now() - t0;
    const server = await ctx.api.stats();
    const awsCalls = ctx.takeAwsCalls?.();
    const trips = ctx.takeDynamoMs?.() ?? [];
    const landed = await readBackS3(ctx.s3, ctx.bucket, `${ctx.prefix}/`);
    const manifests = await countManifests(ctx.s3, ctx.bucket, `${ctx.prefix}/`);
    const achievedPerSecond = achievedRate(server);
    const failed = results.map((r, k) => (r.ok ? undefined : `slice ${k}: ${r.error}`)).filter(Boolean);
    const run: FanOutRun = {
      processes: plan.processes,
      slices,
      requests,
      floorSeconds: requests / perSecond,
      burstFloorSeconds: (Math.floor((requests - 1) / plan.limit) * plan.windowMs + plan.latencyMs) / 1000,
      oneAtATimeSeconds: (longest * plan.latencyMs) / 1000,
      ok: failed.length === 0,
      ...(failed.length ? { error: failed.join('; ') } : {}),
      wallMs,
      startUpMs,
      cpuMs: results.reduce((sum, r) => sum + r.cpuUserMs + r.cpuSystemMs, 0),
      peakRssBytes: Math.max(...results.map((r) => r.peakRssBytes)),
      perProcess: results.map((r) => ({
        records: r.records,
        wallMs: r.wallMs,
        cpuMs: r.cpuUserMs + r.cpuSystemMs,
        invocations: Number(r.detail?.invocations ?? 0),
        manifests: Array.isArray(r.detail?.manifests) ? r.detail.manifests.length : 0,
      })),
      server,
      achievedPerSecond,
      achievedShare: achievedPerSecond / perSecond,
      landed,
      manifests,
      ...(awsCalls ? { awsCalls } : {}),
      ...(trips.length
        ? {
            storeRoundTripMs: {
              p50: quantile(trips, 0.5),
              p95: quantile(trips, 0.95),
              max: Math.max(...trips),
            },
          }
        : {}),
    };
    if (run.ok && manifests !== slices.length) {
      run.ok = false;
      run.error = `${manifests} slice manifests for ${slices.length} slices`;
    }
    return run;
  } finally {
    for (const c of children) if (c.child.exitCode === null) c.child.kill();
    await table.remove();
  }
}
