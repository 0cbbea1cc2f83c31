/**
 * The small run (bench/README.md): a daily incremental run lands thousands of records, and there the
 * fixed cost per invocation dominates. Separates it from the cost per record: Tributary at 1,000
 * records (one page), 10k and the ingestion's sizes, a least-squares line through them (from 10k, or
 * from 1k with --quick); the handler invoked three times in one process (cold container, then warm);
 * a profile of an unminified build;
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
  /** The same handler invoked three times in one process at 1,000 records (tributaryWarm.ts): CPU ms
   * of each invocation, medians over the runs: [first (cold container), second, third (warm)]. */
  invocationsCpuMs?: number[];
  /** The fit's smallest size (1k with --quick, 10k otherwise: the range). */
  fitFromRecords: number;
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
    /** Points below this size stay out of the fit. @default 10_000 */
    fitFromRecords?: number;
  },
  log: (line: string) => void,
): Promise<SmallResult> {
  const fitFromRecords = options.fitFromRecords ?? 10_000;
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
  const ctx = {
    scripts: options.scripts,
    motoEndpoint: options.motoEndpoint,
    ...(options.proxy ? { proxy: options.proxy } : {}),
    outDir: options.outDir,
    log,
  };
  const plan = (records: number, repetitions: number, profile: boolean) => ({
    sizes: [{ records, repetitions }],
    pageSize: 1000,
    contenders: ['tributary'] as const,
    profile: profile ? (['tributary'] as const) : [],
    heapMb: 8192,
  });
  const cpuOf = (size: SizeResult | undefined) => size?.contenders.tributary;
  log(`small: Tributary at ${tinyRecords} records × ${options.runs}…`);
  const [tiny] = await runIngest(plan(tinyRecords, options.runs, false), ctx);
  const tinyCpuMs = cpuOf(tiny)!.cpuMs;

  // The fit's points: 1k, 10k (measured here when the ingestion did not) and the ingestion's sizes.
  const sizes = [...(options.ingest ?? [])];
  if (!sizes.some((s) => s.records === 10_000)) {
    log(`small: Tributary at 10,000 records × ${options.runs} (a point for the fit)…`);
    sizes.push(...(await runIngest(plan(10_000, options.runs, false), ctx)));
  }
  const points = [{ records: tinyRecords, cpuMs: tinyCpuMs }];
  for (const s of sizes) {
    const t = cpuOf(s);
    if (t?.ok) points.push({ records: s.records, cpuMs: t.cpuMs });
  }
  const fit = fitLine(
    points.filter((p) => p.records >= fitFromRecords).sort((a, b) => a.records - b.records),
  );

  // Cold container against warm: the same handler three times in one process.
  log(`small: the handler invoked 3 times in one process × ${options.runs} (cold, then warm)…`);
  const [warm] = await runIngest(plan(tinyRecords, options.runs, false), {
    ...ctx,
    scripts: { ...options.scripts, tributary: options.scripts.tributaryWarm },
  });
  const perInvocation = (cpuOf(warm)?.runs ?? [])
    .filter((r) => r.ok)
    .map((r) => (r.detail?.invocationsCpuMs as number[] | undefined) ?? []);
  const invocationsCpuMs = perInvocation.length
    ? [0, 1, 2].map((i) => median(perInvocation.map((list) => list[i] ?? Number.NaN)))
    : undefined;

  // The profile: one more run of an unminified build, so that the summary names the modules.
  log('small: one profiled run of an unminified build…');
  await runIngest(plan(tinyRecords, 1, true), {
    ...ctx,
    scripts: { ...options.scripts, tributary: options.scripts.tributaryNamed },
  });
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
    ...(invocationsCpuMs ? { invocationsCpuMs } : {}),
    fitFromRecords,
    ...(fit ? { fit } : {}),
    ...(profileSummary ? { profileSummary } : {}),
    runs: options.runs,
  };
}
