/**
 * The real-API floor (bench/README.md): the limited API (latency, a strict sliding-window limit,
 * 429 + Retry-After beyond it, 100 records a page) read by each floor contender, case by case, each
 * run in a fresh process. Figures: wall time against the floor (requests ÷ limit), the 429s the
 * server drew, and the records landed, read back and counted (records and distinct keys).
 */
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { ApiStats, LimitedApiOptions } from '../api/limitedServer.ts';
import { startLimitedApi } from '../api/startApi.ts';
import {
  FAST_LATENCY,
  FLOOR_CASES,
  type FloorCase,
  type FloorCaseName,
  floorRequests,
} from '../contenders/floorCase.ts';
import type { ContenderConfig, ContenderResult } from '../contenders/measure.ts';
import type { EntryName } from '../lib/childEntries.ts';
import { lambdaNodeFlags } from '../lib/lambdaFlags.ts';
import { runChild } from '../lib/runChild.ts';
import { type Peer, runPeer } from '../peers/runPeer.ts';
import { createBenchBucket } from './benchBucket.ts';
import type { AwsCall } from './countingProxy.ts';
import { type Landed, readBackFiles, readBackS3 } from './readBack.ts';
import { type FanOutRun, runFanOut } from './runFanOut.ts';
import { AWS_ENV } from './runIngest.ts';

export const FLOOR_CONTENDERS = ['tributary', 'dlt', 'airbyte'] as const;
export type FloorContender = (typeof FLOOR_CONTENDERS)[number];

export interface FloorPlan {
  records: number;
  shards: number;
  api: Omit<LimitedApiOptions, 'records' | 'shards'>;
  cases: readonly FloorCaseName[];
  contenders: readonly FloorContender[];
  /** Cases the peers (dlt, Airbyte) run on; Tributary runs on every case. @default cases */
  peerCases?: readonly FloorCaseName[];
  /** Why a contender was not measured (a peer's setup failed). */
  notMeasured?: Partial<Record<FloorContender, string>>;
  /**
   * The fan-out case, once per entry: a backfill in that many slices run at once, one process each,
   * sharing one rate budget through the coordination store (runFanOut.ts). Tributary only. @default []
   */
  fanOut?: readonly number[];
}

export interface FloorRun {
  contender: FloorContender;
  case: FloorCaseName;
  ok: boolean;
  error?: string;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  /** What the server saw during the run. */
  server: ApiStats;
  landed: Landed;
  /** AWS requests the run made (the counting proxy in front of moto). */
  awsCalls?: Partial<Record<AwsCall, number>>;
}

export interface FloorResult {
  plan: FloorPlan;
  cases: {
    case: FloorCaseName;
    shards: number;
    /** Requests a complete read needs (one per page). */
    requests: number;
    /** requests ÷ limit per second: no client can do better without drawing 429s. */
    floorSeconds: number;
    /**
     * The true minimum under the limit: a sliding window admits `limit` requests at once, so the last
     * of R starts at ⌊(R − 1) ÷ limit⌋ windows, and answers a latency later. Below requests ÷ limit by
     * up to one window: negligible at hundreds of requests, large at the quick run's 20.
     */
    burstFloorSeconds: number;
    /** requests × mean latency: a client that fetches one page at a time cannot do better. */
    oneAtATimeSeconds: number;
    /** The server's mean latency in this case. */
    latencyMs: number;
    runs: FloorRun[];
  }[];
  /** The fan-out case's runs, one per entry of `plan.fanOut` (Tributary only). */
  fanOut?: FanOutRun[];
}

export interface FloorContext {
  scripts: Record<EntryName, string>;
  motoEndpoint: string;
  proxy?: { endpoint: string; take(): Partial<Record<AwsCall, number>>; takeDynamoMs(): number[] };
  outDir: string;
  log: (line: string) => void;
}

export async function runFloor(plan: FloorPlan, ctx: FloorContext): Promise<FloorResult> {
  const stamp = Date.now().toString(36);
  const bucket = await createBenchBucket(ctx.motoEndpoint, `tributary-floor-${stamp}`);
  const s3 = new S3Client({
    endpoint: ctx.motoEndpoint,
    region: 'eu-west-2',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const slowApi = await startLimitedApi(ctx.scripts.limitedApi, {
    ...plan.api,
    records: plan.records,
    shards: plan.shards,
  });
  const fastApi = plan.cases.includes('fast-api')
    ? await startLimitedApi(ctx.scripts.limitedApi, {
        ...plan.api,
        ...FAST_LATENCY,
        records: plan.records,
        shards: plan.shards,
      })
    : undefined;
  const out: FloorResult = { plan, cases: [] };
  const perSecond = (plan.api.limit * 1000) / plan.api.windowMs;
  try {
    for (const name of plan.cases) {
      const fast = name === 'fast-api';
      const api = fast && fastApi ? fastApi : slowApi;
      const latencyMs = fast ? FAST_LATENCY.latencyMs : plan.api.latencyMs;
      const floorCase: FloorCase = {
        name,
        records: plan.records,
        pageSize: plan.api.pageSize,
        shards: name === 'partitions' ? plan.shards : 1,
        requestsPerSecond: perSecond,
        concurrency: 4,
      };
      const requests = floorRequests(floorCase);
      const entry = {
        case: name,
        shards: floorCase.shards,
        requests,
        floorSeconds: requests / perSecond,
        burstFloorSeconds: burstFloor(requests, plan.api.limit, plan.api.windowMs, latencyMs),
        oneAtATimeSeconds: (requests * latencyMs) / 1000,
        latencyMs,
        runs: [] as FloorRun[],
      };
      for (const contender of plan.contenders) {
        if (plan.notMeasured?.[contender]) continue;
        if (contender !== 'tributary' && plan.peerCases && !plan.peerCases.includes(name)) continue;
        await api.reset();
        const prefix = `floor/${contender}/${name}`;
        const config: ContenderConfig = {
          apiUrl: `${api.base}/v1/orders`,
          apiBase: api.base,
          records: plan.records,
          bucket: bucket.name,
          prefix,
          runId: `floor-${stamp}-${name}-${contender}`,
          floor: floorCase,
        };
        const run: FloorRun =
          contender !== 'tributary'
            ? await peerRun(contender, floorCase, api.base, ctx, name)
            : await tributaryRun(config, bucket.name, prefix, api.base, ctx, name);
        run.server = await api.stats();
        const awsCalls = ctx.proxy?.take();
        if (awsCalls && contender === 'tributary') run.awsCalls = awsCalls;
        run.landed =
          contender !== 'tributary'
            ? safeReadBackFiles(peerRunTableDir.get(`${contender}/${name}`) ?? '')
            : await readBackS3(s3, bucket.name, `${prefix}/`);
        judgeLanded(run, plan.records);
        entry.runs.push(run);
        ctx.log(
          `  floor ${name.padEnd(12)} ${contender.padEnd(9)} ` +
            (run.ok
              ? `wall ${(run.wallMs / 1000).toFixed(2)} s (floor ${entry.floorSeconds.toFixed(2)} s), ` +
                `${run.server.rejected429} × 429, landed ${run.landed.records}`
              : `FAILED: ${run.error}`),
        );
        await bucket.empty();
      }
      out.cases.push(entry);
    }
    for (const processes of plan.fanOut ?? []) {
      if (plan.notMeasured?.tributary || !plan.contenders.includes('tributary')) break;
      const name = `fan-out-${processes}`;
      ctx.proxy?.take();
      const run = await runFanOut(
        {
          records: plan.records,
          pageSize: plan.api.pageSize,
          processes,
          limit: plan.api.limit,
          windowMs: plan.api.windowMs,
          latencyMs: plan.api.latencyMs,
        },
        {
          script: ctx.scripts.tributarySlice,
          awsEndpoint: ctx.proxy?.endpoint ?? ctx.motoEndpoint,
          motoEndpoint: ctx.motoEndpoint,
          bucket: bucket.name,
          s3,
          api: slowApi,
          prefix: `floor/tributary/${name}`,
          runId: `${new Date().toISOString().slice(0, 10)}-floor-${stamp}-${name}`,
          logDir: ctx.outDir,
          ...(ctx.proxy ? { takeAwsCalls: ctx.proxy.take, takeDynamoMs: ctx.proxy.takeDynamoMs } : {}),
        },
        lambdaNodeFlags(),
      );
      judgeLanded(run, plan.records);
      out.fanOut = [...(out.fanOut ?? []), run];
      ctx.log(
        `  floor ${name.padEnd(12)} tributary ` +
          (run.ok
            ? `wall ${(run.wallMs / 1000).toFixed(2)} s (floor ${run.floorSeconds.toFixed(2)} s), ` +
              `${run.server.rejected429} × 429, ${(100 * run.achievedShare).toFixed(1)} % of the limit at the server, landed ${run.landed.records}; ` +
              `${processes} processes started in ${(run.startUpMs / 1000).toFixed(1)} s` +
              (run.storeRoundTripMs
                ? `; store round trip p50 ${run.storeRoundTripMs.p50.toFixed(0)} ms, p95 ${run.storeRoundTripMs.p95.toFixed(0)} ms`
                : '')
            : `FAILED: ${run.error}`),
      );
      await bucket.empty();
    }
  } finally {
    await slowApi.stop();
    await fastApi?.stop();
    await bucket.remove();
    s3.destroy();
  }
  return out;
}

const EMPTY_STATS: ApiStats = {
  requests: 0,
  served: 0,
  rejected429: 0,
  maxInWindow: 0,
  maxConcurrent: 0,
  firstAt: 0,
  lastAt: 0,
  lastArrivalAt: 0,
};
const NO_LANDED: Landed = { files: 0, records: 0, distinctKeys: 0, bytes: 0 };

async function tributaryRun(
  config: ContenderConfig,
  bucket: string,
  prefix: string,
  apiBase: string,
  ctx: FloorContext,
  name: FloorCaseName,
): Promise<FloorRun> {
  const outcome = await runChild<ContenderResult>(ctx.scripts.tributaryFloor, {
    args: [JSON.stringify(config)],
    nodeArgs: lambdaNodeFlags(),
    logFile: join(ctx.outDir, `floor-tributary-${name}.log`),
    env: {
      ...process.env,
      ...AWS_ENV,
      AWS_ENDPOINT_URL: ctx.proxy?.endpoint ?? ctx.motoEndpoint,
      TARGET_S3_BUCKET_NAME: bucket,
      OUTPUT_FOLDER: prefix,
      API_BASE_URL: apiBase,
    },
  });
  const r = outcome.message;
  return {
    contender: 'tributary',
    case: name,
    ok: !!r?.ok,
    ...(r?.ok ? {} : { error: r?.error ?? `process exited (code ${outcome.code}) without a result` }),
    wallMs: r?.wallMs ?? outcome.spawnToMessageMs,
    cpuMs: r ? r.cpuUserMs + r.cpuSystemMs : Number.NaN,
    peakRssBytes: r?.peakRssBytes ?? Number.NaN,
    server: EMPTY_STATS,
    landed: NO_LANDED,
  };
}

const peerRunTableDir = new Map<string, string>();

async function peerRun(
  peer: Peer,
  c: FloorCase,
  base: string,
  ctx: FloorContext,
  name: FloorCaseName,
): Promise<FloorRun> {
  const r = await runPeer(
    peer,
    { base, case: name, records: c.records, pageSize: c.pageSize, shards: c.shards },
    join(ctx.outDir, `${peer}-floor-${name}`),
    join(ctx.outDir, `floor-${peer}-${name}.log`),
  );
  peerRunTableDir.set(`${peer}/${name}`, r.tableDir);
  return {
    contender: peer,
    case: name,
    ok: r.ok,
    ...(r.error ? { error: r.error } : {}),
    wallMs: r.wallMs,
    cpuMs: r.cpuUserMs + r.cpuSystemMs,
    peakRssBytes: r.peakRssBytes,
    server: EMPTY_STATS,
    landed: NO_LANDED,
  };
}

/** A run that wrote nothing has no folder: that is 0 records landed, not a crash of the bench. */
export function safeReadBackFiles(dir: string): Landed {
  try {
    return readBackFiles(dir);
  } catch {
    return NO_LANDED;
  }
}

/** Seconds: ⌊(R − 1) ÷ limit⌋ windows, then one latency. */
export function burstFloor(requests: number, limit: number, windowMs: number, latencyMs: number): number {
  return (Math.floor((requests - 1) / limit) * windowMs + latencyMs) / 1000;
}

/** Exactly once: every record landed, none twice. Otherwise the run failed, however fast it was. */
export function judgeLanded(run: Pick<FloorRun, 'ok' | 'error' | 'landed'>, expected: number): void {
  const { records, distinctKeys } = run.landed;
  if (records === expected && distinctKeys === expected) return;
  run.ok = false;
  const what =
    distinctKeys < expected
      ? `dropped ${expected - distinctKeys} record(s)`
      : records > distinctKeys
        ? `landed ${records - distinctKeys} record(s) twice`
        : 'landed records it was not served';
  run.error = `${run.error ? `${run.error}; ` : ''}landed ${records} records, ${distinctKeys} distinct keys of ${expected}: ${what}`;
}

export { FLOOR_CASES };
