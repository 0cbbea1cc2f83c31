/**
 * The small run (bench/README.md): a daily incremental run lands thousands of records, and there the
 * fixed cost per invocation dominates. Separates it from the cost per record: Tributary at 1,000
 * records (one page; profiled once) and the ingestion's sizes, a least-squares line through them;
 * the functions' init CPU (bundles part); and baselines measured in the same run with the same
 * harness: `node -e 0`, a bundle that imports nothing, a bundle that only imports the S3 client.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundlesResult } from '../bundles/runBundles.ts';
import { runIngest, type SizeResult } from '../ingest/runIngest.ts';
import type { EntryName } from '../lib/childEntries.ts';
import { lambdaNodeFlags } from '../lib/lambdaFlags.ts';
import { runChild } from '../lib/runChild.ts';
import { median } from '../lib/stats.ts';
import { type CpuProfile, summarize } from '../profile/summarize.ts';
import { type Fit, fitLine } from './fit.ts';

export interface SmallResult {
  /** CPU ms of the whole `node -e 0` process (Node's boot), median. */
  nodeEmptyCpuMs: number;
  /** Init CPU ms (process start → handler built, coldInit.ts) of the baseline bundles, median. */
  baselineEmptyInitCpuMs: number;
  baselineSdkInitCpuMs: number;
  /** The functions' init CPU (bundles part), median over functions, and the slowest. */
  functionsInitCpuMs?: { median: number; max: number };
  /** Tributary's work at 1,000 records (one page), CPU ms, median of the repetitions. */
  tinyCpuMs: number;
  tinyRecords: number;
  fit?: Fit;
  /** The profile of Tributary's 1,000-record run, the whole process (module loading included). */
  profileSummary?: string;
  runs: number;
}

export async function runSmall(
  options: {
    scripts: Record<EntryName, string>;
    motoEndpoint: string;
    proxy?: Parameters<typeof runIngest>[1]['proxy'];
    outDir: string;
    runs: number;
    ingest?: SizeResult[];
    bundles?: BundlesResult;
  },
  log: (line: string) => void,
): Promise<SmallResult> {
  const flags = lambdaNodeFlags();
  const nodeCpu: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const r = spawnSync(
      process.execPath,
      [...flags, '-e', 'const c = process.cpuUsage(); console.log((c.user + c.system) / 1000)'],
      { encoding: 'utf8' },
    );
    nodeCpu.push(Number(r.stdout.trim()));
  }
  const initCpu = async (script: string, name: string) => {
    const cpus: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const outcome = await runChild<{ ok: boolean; cpuMs: number; error?: string }>(
        options.scripts.coldInit,
        {
          args: [script, 'handler'],
          nodeArgs: flags,
          logFile: join(options.outDir, `small-${name}.log`),
        },
      );
      if (!outcome.message?.ok) throw new Error(`${name}: ${outcome.message?.error ?? 'no report'}`);
      cpus.push(outcome.message.cpuMs);
    }
    return median(cpus);
  };
  const baselineEmptyInitCpuMs = await initCpu(options.scripts.baselineEmpty, 'baseline-empty');
  const baselineSdkInitCpuMs = await initCpu(options.scripts.baselineSdk, 'baseline-sdk');

  const tinyRecords = 1_000;
  log(`small: Tributary at ${tinyRecords} records × ${options.runs} (first one profiled)…`);
  const [tiny] = await runIngest(
    {
      sizes: [{ records: tinyRecords, repetitions: options.runs }],
      pageSize: 1000,
      contenders: ['tributary'],
      profile: ['tributary'],
      heapMb: 8192,
    },
    {
      scripts: options.scripts,
      motoEndpoint: options.motoEndpoint,
      ...(options.proxy ? { proxy: options.proxy } : {}),
      outDir: options.outDir,
      log,
    },
  );
  // The profiled repetition runs slower: the fixed cost is the median of the others when there are.
  const tinyRuns = tiny!.contenders.tributary!.runs.filter((r) => r.ok);
  const unprofiled = tinyRuns.length > 1 ? tinyRuns.slice(1) : tinyRuns;
  const tinyCpuMs = median(unprofiled.map((r) => r.cpuUserMs + r.cpuSystemMs));

  const points = [{ records: tinyRecords, cpuMs: tinyCpuMs }];
  for (const s of options.ingest ?? []) {
    const t = s.contenders.tributary;
    if (t?.ok) points.push({ records: s.records, cpuMs: t.cpuMs });
  }
  const fit = fitLine(points);
  const profileFile = join(options.outDir, 'profiles', `tributary-${tinyRecords}.cpuprofile`);
  const profileSummary = existsSync(profileFile)
    ? summarize(JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile, 10)
    : undefined;
  const fns = (options.bundles?.functions ?? []).filter((f) => f.coldInit.ok).map((f) => f.coldInit.cpuMs);
  return {
    nodeEmptyCpuMs: median(nodeCpu),
    baselineEmptyInitCpuMs,
    baselineSdkInitCpuMs,
    ...(fns.length ? { functionsInitCpuMs: { median: median(fns), max: Math.max(...fns) } } : {}),
    tinyCpuMs,
    tinyRecords,
    ...(fit ? { fit } : {}),
    ...(profileSummary ? { profileSummary } : {}),
    runs: options.runs,
  };
}
