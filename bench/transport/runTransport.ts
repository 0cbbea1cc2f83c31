/**
 * The transport A/B (issue 14 item 7, issue 18 item 4): the core's node:http transport, undici and
 * Node's global fetch, each swapped into the same core at bundle time (build.ts), against the same
 * gzipped pages of the loopback API, measured in the same run:
 *
 * - CPU per record: Tributary's real path (bench/contenders/tributary.ts: createHandler, the
 *   source's default concurrency, keep-alive, gzip on) in a fresh process per run, the three
 *   transports in rotating order, median of the repetitions; the landed parts read back and counted;
 * - cold init CPU: a fresh process `require()`s the github function built with each transport and
 *   sends its first request through it (coldFirst.ts); judged beyond `node -e 0`, measured in the same
 *   loop, in rotating order;
 * - bundle size of that function.
 *
 * The rule (issue 14 item 7): a contender within 5 % of ours in CPU per record AND in cold-init CPU,
 * with a bundle ≤ 1 MB, would be the one to switch to; otherwise ours stays.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startApi } from '../api/startApi.ts';
import { coldInitEnv } from '../bundles/coldInitEnv.ts';
import type { ContenderConfig, ContenderResult } from '../contenders/measure.ts';
import { createBenchBucket } from '../ingest/benchBucket.ts';
import { type Landed, readBackS3 } from '../ingest/readBack.ts';
import { AWS_ENV } from '../ingest/runIngest.ts';
import type { EntryName } from '../lib/childEntries.ts';
import { lambdaNodeFlags } from '../lib/lambdaFlags.ts';
import { runChild } from '../lib/runChild.ts';
import { median } from '../lib/stats.ts';
import { buildColdFirst, buildTransport, TRANSPORTS, type Transport, type TransportBuild } from './build.ts';

export interface TransportPlan {
  records: number;
  pageSize: number;
  repetitions: number;
  coldRuns: number;
  transports?: readonly Transport[];
}

export interface TransportRow {
  transport: Transport;
  ok: boolean;
  error?: string;
  /** Median CPU ms of the work (user + sys, all threads). */
  cpuMs: number;
  cpuMicrosPerRecord: number;
  wallMs: number;
  landed?: Landed;
  /** Median CPU ms, process start → handler built / → first response parsed. */
  initCpuMs: number;
  firstRequestCpuMs: number;
  /** firstRequestCpuMs − `node -e 0`: what the function costs before its first record. */
  coldBeyondNodeMs: number;
  bundleBytes: number;
}

export interface TransportResult {
  records: number;
  pageSize: number;
  repetitions: number;
  coldRuns: number;
  gzip: true;
  undiciVersion: string;
  nodeUndiciVersion: string;
  nodeEmptyCpuMs: number;
  rows: TransportRow[];
  /** Per contender: within 5 % of ours on both CPU figures with a bundle ≤ 1 MB. */
  verdict: {
    transport: Transport;
    cpuRatio: number;
    coldRatio: number;
    bundleOk: boolean;
    switch: boolean;
  }[];
}

export const WITHIN = 0.05;
export const BUNDLE_LIMIT = 1_000_000;

export interface TransportContext {
  scripts: Record<EntryName, string>;
  motoEndpoint: string;
  outDir: string;
  log: (line: string) => void;
}

/** One run of the tributary contender built with `build`: its result and its landed output, read back. */
export async function landThrough(
  transport: Transport,
  build: TransportBuild,
  api: { url: string; base: string },
  records: number,
  bucket: string,
  rep: number,
  ctx: Omit<TransportContext, 'scripts'>,
): Promise<ContenderResult & { landed: Landed }> {
  const prefix = `bench/transport/${transport}/${records}/${rep}`;
  const config: ContenderConfig = {
    apiUrl: api.url,
    apiBase: api.base,
    records,
    bucket,
    prefix,
    runId: `transport-${Date.now().toString(36)}-${transport}-${rep}`,
  };
  const outcome = await runChild<ContenderResult>(build.contender, {
    args: [JSON.stringify(config)],
    nodeArgs: lambdaNodeFlags(),
    logFile: join(ctx.outDir, `transport-${transport}.log`),
    env: {
      ...process.env,
      ...AWS_ENV,
      AWS_ENDPOINT_URL: ctx.motoEndpoint,
      TARGET_S3_BUCKET_NAME: bucket,
      OUTPUT_FOLDER: prefix,
      API_BASE_URL: api.base,
    },
  });
  const result: ContenderResult = outcome.message ?? {
    ok: false,
    error: `process exited (code ${outcome.code}, signal ${outcome.signal}) without a result`,
    records: 0,
    wallMs: outcome.spawnToMessageMs,
    cpuUserMs: Number.NaN,
    cpuSystemMs: Number.NaN,
    peakRssBytes: Number.NaN,
  };
  const s3 = new S3Client({
    endpoint: ctx.motoEndpoint,
    region: AWS_ENV.AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: AWS_ENV.AWS_SECRET_ACCESS_KEY },
  });
  try {
    const landed = await readBackS3(s3, bucket, prefix);
    if (result.ok && (landed.records !== records || landed.distinctKeys !== records)) {
      result.ok = false;
      result.error = `landed ${landed.records} records (${landed.distinctKeys} distinct ids), expected ${records}`;
    }
    return { ...result, landed };
  } finally {
    s3.destroy();
  }
}

function nodeEmptyCpu(): number {
  const r = spawnSync(
    process.execPath,
    [...lambdaNodeFlags(), '-e', 'const c = process.cpuUsage(); console.log((c.user + c.system) / 1000)'],
    { encoding: 'utf8' },
  );
  return Number(r.stdout.trim());
}

export async function runTransport(plan: TransportPlan, ctx: TransportContext): Promise<TransportResult> {
  const transports = plan.transports ?? TRANSPORTS;
  ctx.log(`transport: building ${transports.join(', ')} (core's transport swapped at bundle time)…`);
  const [coldFirst, ...builds] = await Promise.all([buildColdFirst(), ...transports.map(buildTransport)]);
  const built = new Map(transports.map((t, i) => [t, builds[i]!]));
  const bucket = await createBenchBucket(ctx.motoEndpoint, `tributary-transport-${Date.now().toString(36)}`);
  const api = await startApi(ctx.scripts.api, plan.records, plan.pageSize, { gzip: true });
  const runs = new Map<Transport, (ContenderResult & { landed: Landed })[]>(transports.map((t) => [t, []]));
  const colds = new Map<Transport, { ready: number[]; first: number[] }>(
    transports.map((t) => [t, { ready: [], first: [] }]),
  );
  const nodeEmpty: number[] = [];
  try {
    ctx.log(`transport: ${plan.records.toLocaleString('en')} records, gzip, × ${plan.repetitions}…`);
    for (let rep = 0; rep < plan.repetitions; rep++) {
      for (let i = 0; i < transports.length; i++) {
        const t = transports[(i + rep) % transports.length]!;
        const r = await landThrough(t, built.get(t)!, api, plan.records, bucket.name, rep, ctx);
        runs.get(t)!.push(r);
        ctx.log(
          `  ${t.padEnd(7)} rep ${rep + 1}/${plan.repetitions} ` +
            (r.ok
              ? `cpu ${((r.cpuUserMs + r.cpuSystemMs) / 1000).toFixed(2)} s, wall ${(r.wallMs / 1000).toFixed(2)} s`
              : `FAILED: ${r.error}`),
        );
        await bucket.empty();
      }
    }
    ctx.log(`transport: cold init + first request × ${plan.coldRuns}…`);
    const env = { ...coldInitEnv({ name: 'github' }, ctx.motoEndpoint) };
    for (let rep = 0; rep < plan.coldRuns; rep++) {
      nodeEmpty.push(nodeEmptyCpu());
      for (let i = 0; i < transports.length; i++) {
        const t = transports[(i + rep) % transports.length]!;
        const outcome = await runChild<{
          ok: boolean;
          error?: string;
          readyCpuMs: number;
          firstCpuMs: number;
        }>(coldFirst, {
          args: [built.get(t)!.cold, api.url],
          nodeArgs: lambdaNodeFlags(),
          logFile: join(ctx.outDir, `transport-cold-${t}.log`),
          env,
        });
        const m = outcome.message;
        if (!m?.ok)
          throw new Error(`transport ${t}: cold init failed: ${m?.error ?? `exit ${outcome.code}`}`);
        colds.get(t)!.ready.push(m.readyCpuMs);
        colds.get(t)!.first.push(m.firstCpuMs);
      }
    }
  } finally {
    await api.stop();
    await bucket.remove();
  }
  const nodeEmptyCpuMs = median(nodeEmpty);
  const rows: TransportRow[] = transports.map((t) => {
    const list = runs.get(t)!;
    const good = list.filter((r) => r.ok);
    const pool = good.length ? good : list;
    const cpuMs = median(pool.map((r) => r.cpuUserMs + r.cpuSystemMs));
    const firstRequestCpuMs = median(colds.get(t)!.first);
    const bad = list.find((r) => !r.ok);
    return {
      transport: t,
      ok: good.length === list.length,
      ...(bad?.error ? { error: bad.error } : {}),
      cpuMs,
      cpuMicrosPerRecord: (cpuMs * 1000) / plan.records,
      wallMs: median(pool.map((r) => r.wallMs)),
      ...(list[0] ? { landed: list[0].landed } : {}),
      initCpuMs: median(colds.get(t)!.ready),
      firstRequestCpuMs,
      coldBeyondNodeMs: firstRequestCpuMs - nodeEmptyCpuMs,
      bundleBytes: statSync(built.get(t)!.fn).size,
    };
  });
  const ours = rows.find((r) => r.transport === 'ours');
  const verdict = ours
    ? rows
        .filter((r) => r.transport !== 'ours')
        .map((r) => {
          const cpuRatio = r.cpuMicrosPerRecord / ours.cpuMicrosPerRecord;
          const coldRatio = r.coldBeyondNodeMs / ours.coldBeyondNodeMs;
          const bundleOk = r.bundleBytes <= BUNDLE_LIMIT;
          return {
            transport: r.transport,
            cpuRatio,
            coldRatio,
            bundleOk,
            switch: r.ok && cpuRatio <= 1 + WITHIN && coldRatio <= 1 + WITHIN && bundleOk,
          };
        })
    : [];
  return {
    records: plan.records,
    pageSize: plan.pageSize,
    repetitions: plan.repetitions,
    coldRuns: plan.coldRuns,
    gzip: true,
    undiciVersion: undiciVersion(),
    nodeUndiciVersion: process.versions.undici ?? 'unknown',
    nodeEmptyCpuMs,
    rows,
    verdict,
  };
}

function undiciVersion(): string {
  try {
    return (createRequire(import.meta.url)('undici/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
