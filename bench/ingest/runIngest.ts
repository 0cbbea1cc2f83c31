/**
 * The ingestion bench: for each N, one loopback API serving N records, and the three contenders
 * against it, each in a fresh process, in rotating order, `repetitions` times; medians reported.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startApi } from '../api/startApi.ts';
import type { ContenderConfig, ContenderResult } from '../contenders/measure.ts';
import type { EntryName } from '../lib/childEntries.ts';
import { lambdaNodeFlags } from '../lib/lambdaFlags.ts';
import { runChild } from '../lib/runChild.ts';
import { median } from '../lib/stats.ts';
import { createBenchBucket } from './benchBucket.ts';
import type { AwsCall } from './countingProxy.ts';

export const CONTENDERS = ['ceiling', 'naive', 'tributary'] as const;
/** `baseline`: tributary built from another commit (`--baseline <ref>`, bench/baseline/build.ts). */
export type Contender = (typeof CONTENDERS)[number] | 'baseline';

export interface IngestPlan {
  /** Record counts with their repetitions, e.g. `[{ records: 100_000, repetitions: 3 }]`. */
  sizes: { records: number; repetitions: number }[];
  pageSize: number;
  contenders: readonly Contender[];
  /** Every contender's `--max-old-space-size`: large, so that the naive approach shows how far it gets. */
  heapMb: number;
  /** More Node flags for every contender, e.g. `--trace-gc` (its output goes to the contender's log). */
  nodeArgs?: readonly string[];
  /** Profile these contenders' runs with `--cpu-prof` (their first repetition). */
  profile: readonly Contender[];
}

export interface ContenderSummary {
  runs: ContenderResult[];
  ok: boolean;
  wallMs: number;
  cpuMs: number;
  recordsPerCpuSecond: number;
  cpuMicrosPerRecord: number;
  mbPerSecond: number;
  peakRssBytes: number;
  /** AWS requests of the first successful run, counted by the proxy in front of moto. */
  awsCalls?: Partial<Record<AwsCall, number>>;
}

export interface SizeResult {
  records: number;
  pageSize: number;
  pages: number;
  responseBytes: number;
  repetitions: number;
  contenders: Partial<Record<Contender, ContenderSummary>>;
}

export interface IngestContext {
  /** `baseline`: the contender built from the baseline ref, when one is run. */
  scripts: Record<EntryName, string> & { baseline?: string };
  motoEndpoint: string;
  /** The counting proxy in front of moto (ingest/countingProxy.ts): the contenders' AWS endpoint. */
  proxy?: { endpoint: string; take(): Partial<Record<AwsCall, number>> };
  outDir: string;
  log: (line: string) => void;
}

export const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'eu-west-2',
  AWS_DEFAULT_REGION: 'eu-west-2',
};

export async function runIngest(plan: IngestPlan, ctx: IngestContext): Promise<SizeResult[]> {
  const stamp = Date.now().toString(36);
  const bucket = await createBenchBucket(ctx.motoEndpoint, `tributary-bench-${stamp}`);
  const results: SizeResult[] = [];
  try {
    for (const size of plan.sizes) {
      ctx.log(`ingest: serving ${size.records.toLocaleString('en')} records in pages of ${plan.pageSize}…`);
      const api = await startApi(ctx.scripts.api, size.records, plan.pageSize);
      const runs = new Map<Contender, ContenderResult[]>(plan.contenders.map((c) => [c, []]));
      const calls = new Map<Contender, Partial<Record<AwsCall, number>>>();
      try {
        for (let rep = 0; rep < size.repetitions; rep++) {
          const order = plan.contenders.map((_, i) => plan.contenders[(i + rep) % plan.contenders.length]!);
          for (const contender of order) {
            // A failure at this size (the naive approach's string limit) is deterministic: once is enough.
            if (runs.get(contender)!.some((r) => !r.ok)) continue;
            const runId = `bench-${stamp}-${size.records}-${rep}-${contender}`;
            const config: ContenderConfig = {
              apiUrl: api.url,
              apiBase: api.base,
              records: size.records,
              bucket: bucket.name,
              prefix: `bench/${contender}/${size.records}/${rep}`,
              runId,
            };
            const nodeArgs = [
              `--max-old-space-size=${plan.heapMb}`,
              ...lambdaNodeFlags(),
              ...(plan.nodeArgs ?? []),
            ];
            if (rep === 0 && plan.profile.includes(contender)) {
              const dir = join(ctx.outDir, 'profiles');
              mkdirSync(dir, { recursive: true });
              nodeArgs.push(
                '--cpu-prof',
                `--cpu-prof-dir=${dir}`,
                `--cpu-prof-name=${contender}-${size.records}.cpuprofile`,
              );
            }
            const script = ctx.scripts[contender];
            if (!script) throw new Error(`ingest: no script for contender ${contender}`);
            const outcome = await runChild<ContenderResult>(script, {
              args: [JSON.stringify(config)],
              nodeArgs,
              logFile: join(ctx.outDir, `${contender}-${size.records}.log`),
              env: {
                ...process.env,
                ...AWS_ENV,
                AWS_ENDPOINT_URL: ctx.proxy?.endpoint ?? ctx.motoEndpoint,
                TARGET_S3_BUCKET_NAME: bucket.name,
                OUTPUT_FOLDER: config.prefix,
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
            if (result.ok && result.records !== size.records) {
              result.ok = false;
              result.error = `read ${result.records} records, expected ${size.records}`;
            }
            runs.get(contender)!.push(result);
            const counted = ctx.proxy?.take();
            if (counted && result.ok && !calls.has(contender)) calls.set(contender, counted);
            ctx.log(
              `  ${String(size.records).padStart(8)} rep ${rep + 1}/${size.repetitions} ${contender.padEnd(9)} ` +
                (result.ok
                  ? `wall ${(result.wallMs / 1000).toFixed(2)} s, cpu ${((result.cpuUserMs + result.cpuSystemMs) / 1000).toFixed(2)} s, rss ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB`
                  : `FAILED after ${(result.wallMs / 1000).toFixed(2)} s: ${result.error}`),
            );
            await bucket.empty();
          }
        }
      } finally {
        await api.stop();
      }
      const contenders: SizeResult['contenders'] = {};
      for (const [name, list] of runs) {
        const summary = summarize(list, size.records, api.bytes);
        const counted = calls.get(name);
        contenders[name] = counted ? { ...summary, awsCalls: counted } : summary;
      }
      results.push({
        records: size.records,
        pageSize: plan.pageSize,
        pages: api.pages,
        responseBytes: api.bytes,
        repetitions: size.repetitions,
        contenders,
      });
    }
  } finally {
    await bucket.remove();
  }
  return results;
}

/** Medians over the successful runs; a contender that never succeeded keeps its failed figures. */
function summarize(runs: ContenderResult[], records: number, bytes: number): ContenderSummary {
  const good = runs.filter((r) => r.ok);
  const pool = good.length ? good : runs;
  const wallMs = median(pool.map((r) => r.wallMs));
  const cpuMs = median(pool.map((r) => r.cpuUserMs + r.cpuSystemMs));
  return {
    runs,
    ok: good.length > 0,
    wallMs,
    cpuMs,
    recordsPerCpuSecond: good.length ? records / (cpuMs / 1000) : Number.NaN,
    cpuMicrosPerRecord: good.length ? (cpuMs * 1000) / records : Number.NaN,
    mbPerSecond: good.length ? bytes / 2 ** 20 / (wallMs / 1000) : Number.NaN,
    peakRssBytes: median(pool.map((r) => r.peakRssBytes)),
  };
}
