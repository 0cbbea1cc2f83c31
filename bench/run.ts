/**
 * `pnpm bench`: Tributary's ingestion against the loopback ceiling and the naive approach, its
 * bundles and cold init, and the Glue job. Writes bench/results/<timestamp>.{md,json} and prints
 * the markdown. See bench/README.md.
 *
 *   pnpm bench                          everything (100k × 3 and 1M × 2, bundles, Glue): < 10 min
 *   pnpm bench --quick                  10k × 3 and 100k × 1, 3 cold inits, no Glue: ~1 min
 *   pnpm bench --only ingest|bundles|glue   one part (repeatable, or comma-separated)
 *   pnpm bench --only ingest,bundles --baseline c1a2bfd^   the code at a ref beside today's, same run
 *   pnpm bench --records 100000,1000000 --reps 3,2 --page-size 1000 --profile tributary,ceiling --heap-mb 8192
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startMoto } from '@tributary/testkit';
import { buildBaseline, coldInits } from './baseline/build.ts';
import { runBundles } from './bundles/runBundles.ts';
import { runGlue } from './glue/runGlue.ts';
import { startCountingProxy } from './ingest/countingProxy.ts';
import { FLOOR_CASES, FLOOR_CONTENDERS, runFloor } from './ingest/runFloor.ts';
import { CONTENDERS, type Contender, runIngest } from './ingest/runIngest.ts';
import { benchDir, buildChildEntries, repoRoot } from './lib/childEntries.ts';
import { ensurePeers, PEERS } from './peers/runPeer.ts';
import { runPeers } from './peers/runPeers.ts';
import { type BenchRun, summarizeRun, toMarkdown } from './report/markdown.ts';
import { runSmall } from './small/runSmall.ts';
import { runTransport } from './transport/runTransport.ts';

const PARTS = ['ingest', 'floor', 'peers', 'bundles', 'small', 'transport', 'glue'] as const;
type Part = (typeof PARTS)[number];

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function list(value: string | string[] | undefined): string[] {
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => v.split(',')).filter(Boolean);
}

function numbers(flag: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const out = value.split(',').map(Number);
  if (out.some((v) => !Number.isInteger(v) || v <= 0))
    throw new UsageError(`--${flag} expects positive integers, got "${value}"`);
  return out;
}

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      records: { type: 'string' },
      reps: { type: 'string' },
      'page-size': { type: 'string', default: '1000' },
      profile: { type: 'string', multiple: true },
      contenders: { type: 'string' },
      'cold-runs': { type: 'string' },
      'heap-mb': { type: 'string', default: '8192' },
      'node-arg': { type: 'string', multiple: true },
      'floor-records': { type: 'string' },
      'latency-ms': { type: 'string', default: '150' },
      'jitter-ms': { type: 'string', default: '50' },
      limit: { type: 'string', default: '10' },
      seed: { type: 'string', default: '18' },
      'fan-out': { type: 'string', default: '4,8' },
      'floor-cases': { type: 'string' },
      baseline: { type: 'string' },
    },
  });
  const only = list(values.only);
  for (const p of only)
    if (!PARTS.includes(p as Part)) throw new UsageError(`--only ${p}: expected one of ${PARTS.join(', ')}`);
  if (only.includes('peers') && !only.includes('ingest'))
    console.error(
      'bench: --only peers without ingest: the peers table has no Tributary row at the instant size',
    );
  const floorCases = values['floor-cases'] === undefined ? [...FLOOR_CASES] : list(values['floor-cases']);
  for (const c of floorCases)
    if (!FLOOR_CASES.includes(c as (typeof FLOOR_CASES)[number]))
      throw new UsageError(
        `--floor-cases ${c}: expected some of ${FLOOR_CASES.join(', ')} (or "" for the fan-out alone)`,
      );
  const profile = list(values.profile);
  const contenders: string[] = values.contenders ? list(values.contenders) : [...CONTENDERS];
  for (const c of [...profile, ...contenders])
    if (!(CONTENDERS as readonly string[]).includes(c) && !(c === 'baseline' && values.baseline))
      throw new UsageError(`unknown contender "${c}": expected one of ${CONTENDERS.join(', ')}`);
  const records =
    numbers('records', values.records) ?? (values.quick ? [10_000, 100_000] : [100_000, 1_000_000]);
  const reps = numbers('reps', values.reps) ?? (values.quick ? [3, 1] : [3, 2]);
  const pageSize = numbers('page-size', values['page-size'])![0]!;
  const parts: Part[] = only.length
    ? (only as Part[])
    : values.quick
      ? ['ingest', 'floor', 'peers', 'bundles', 'small', 'transport']
      : [...PARTS];
  const nonNegative = (flag: string, v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 0) throw new UsageError(`--${flag} expects an integer ≥ 0, got "${v}"`);
    return x;
  };
  return {
    quick: values.quick,
    parts,
    sizes: records.map((r, i) => ({ records: r, repetitions: reps[i] ?? reps.at(-1)! })),
    pageSize,
    baseline: values.baseline,
    contenders: [
      ...contenders,
      ...(values.baseline && !contenders.includes('baseline') ? ['baseline'] : []),
    ] as Contender[],
    profile: profile as Contender[],
    heapMb: numbers('heap-mb', values['heap-mb'])![0]!,
    nodeArgs: values['node-arg'] ?? [],
    coldRuns: numbers('cold-runs', values['cold-runs'])?.[0] ?? (values.quick ? 3 : 7),
    floor: {
      records: numbers('floor-records', values['floor-records'])?.[0] ?? (values.quick ? 2_000 : 10_000),
      shards: 4,
      api: {
        pageSize: 100,
        latencyMs: nonNegative('latency-ms', values['latency-ms']),
        jitterMs: nonNegative('jitter-ms', values['jitter-ms']),
        seed: nonNegative('seed', values.seed),
        limit: numbers('limit', values.limit)![0]!,
        windowMs: 1000,
      },
      cases: floorCases as (typeof FLOOR_CASES)[number][],
      contenders: FLOOR_CONTENDERS,
      // --quick: the peer on the first case only (a Python start-up per run is ~2 s on 2 cores).
      peerCases: values.quick ? (['one-stream'] as const) : FLOOR_CASES,
      // The fan-out case: a backfill in this many slices at once (one process each), per entry.
      fanOut: numbers('fan-out', values['fan-out'])!,
    },
  };
}

async function main(): Promise<void> {
  const opts = options();
  const started = new Date();
  const stamp = started
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const resultsDir = join(benchDir, 'results');
  const outDir = join(resultsDir, stamp);
  mkdirSync(outDir, { recursive: true });
  const log = (line: string) => console.error(line);
  log(`bench: ${opts.parts.join(', ')}; logs in ${outDir}`);

  const scripts: Awaited<ReturnType<typeof buildChildEntries>> & { baseline?: string } =
    await buildChildEntries();
  const baseline = opts.baseline ? await buildBaseline(opts.baseline, log) : undefined;
  // The bundles are self-contained: the worktree can go at once.
  baseline?.dispose();
  if (baseline) scripts.baseline = baseline.contender;
  const moto = await startMoto();
  const proxy = await startCountingProxy(moto.endpoint);
  const run: Omit<BenchRun, 'ratios' | 'targets'> = {
    startedAt: started.toISOString(),
    finishedAt: '',
    seconds: 0,
    machine: {
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 10) / 10),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
    },
    commit: gitCommit(),
    options: opts,
    ...(baseline
      ? {
          baseline: {
            ref: baseline.ref,
            commit: baseline.commit,
            buildSeconds: baseline.buildSeconds,
            bundleBytes: { current: statSync(baseline.currentFn).size, baseline: statSync(baseline.fn).size },
          },
        }
      : {}),
  };
  // A part that fails is reported, and the others still run and are written.
  const attempt = async (part: Part, fn: () => Promise<void>) => {
    if (!opts.parts.includes(part)) return;
    const t0 = performance.now();
    try {
      await fn();
    } catch (error) {
      log(`${part}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      run.errors = { ...run.errors, [part]: error instanceof Error ? error.message : String(error) };
    } finally {
      const seconds = (performance.now() - t0) / 1000;
      const loadAverage = Math.round(loadavg()[0]! * 10) / 10;
      run.parts = [...(run.parts ?? []), { part, seconds, loadAverage }];
      log(`${part}: ${seconds.toFixed(1)} s (load ${loadAverage})`);
    }
  };
  // The peers' venvs (bench/setup.sh, pinned): made when missing, before anything is timed.
  const peersMissing =
    opts.parts.includes('peers') || opts.parts.includes('floor')
      ? ensurePeers(log)
      : Object.fromEntries(PEERS.map((p) => [p, 'not run (no peers or floor part)']));
  if (Object.keys(peersMissing).length) run.peersNotMeasured = peersMissing;
  const peers = PEERS.filter((p) => !peersMissing[p]);
  try {
    await attempt('ingest', async () => {
      run.ingest = await runIngest(
        {
          sizes: opts.sizes,
          pageSize: opts.pageSize,
          contenders: opts.contenders,
          profile: opts.profile,
          heapMb: opts.heapMb,
          nodeArgs: opts.nodeArgs,
        },
        { scripts, motoEndpoint: moto.endpoint, proxy, outDir, log },
      );
    });
    await attempt('floor', async () => {
      const f = opts.floor;
      log(
        `floor: ${f.records.toLocaleString('en')} records, pages of ${f.api.pageSize}, ${f.api.latencyMs} ± ${f.api.jitterMs} ms, ` +
          `${f.api.limit} requests in any ${f.api.windowMs} ms…`,
      );
      run.floor = await runFloor(
        { ...f, notMeasured: peersMissing },
        { scripts, motoEndpoint: moto.endpoint, proxy, outDir, log },
      );
    });
    await attempt('peers', async () => {
      if (peers.length === 0) return;
      // The peers on the instant API at the ingestion's first size, beside Tributary's figures there.
      run.peers = await runPeers(
        { records: opts.sizes[0]!.records, pageSize: opts.pageSize, peers },
        { scripts, outDir, log },
      );
    });
    await attempt('bundles', async () => {
      run.bundles = await runBundles(
        {
          repoRoot,
          coldInitScript: scripts.coldInit,
          outDir,
          coldRuns: opts.coldRuns,
          motoEndpoint: moto.endpoint,
        },
        log,
      );
      if (baseline && run.baseline)
        run.baseline.coldInit = await coldInits(baseline, {
          coldInitScript: scripts.coldInit,
          runs: opts.coldRuns,
          motoEndpoint: moto.endpoint,
          outDir,
        });
    });
    await attempt('small', async () => {
      run.small = await runSmall(
        {
          scripts,
          motoEndpoint: moto.endpoint,
          proxy,
          outDir,
          runs: opts.coldRuns,
          fitFromRecords: opts.quick ? 1_000 : 10_000,
          ...(run.ingest ? { ingest: run.ingest } : {}),
          ...(run.bundles ? { bundles: run.bundles } : {}),
        },
        log,
      );
    });
    await attempt('transport', async () => {
      // Same pages as the ingestion (pages of --page-size), gzipped; CPU per record on a size where the
      // fixed cost is small, cold init with the same number of runs as the bundles part.
      run.transport = await runTransport(
        {
          records: opts.quick ? 20_000 : 200_000,
          pageSize: opts.pageSize,
          repetitions: opts.quick ? 2 : 5,
          coldRuns: opts.coldRuns,
        },
        { scripts, motoEndpoint: moto.endpoint, outDir, log },
      );
    });
    await attempt('glue', async () => {
      log('glue: .venv/bin/python bench/glue_bench.py …');
      run.glue = await runGlue({ repoRoot, outDir, timeoutSeconds: 300 });
    });
  } finally {
    await proxy.stop();
    await moto.stop();
  }
  if (!run.glue?.ok) {
    const previous = previousGlue(resultsDir);
    if (previous) run.previousGlue = previous;
  }
  run.finishedAt = new Date().toISOString();
  run.seconds = (Date.now() - started.getTime()) / 1000;
  run.machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 10) / 10);
  const full = summarizeRun(run);
  const markdown = toMarkdown(full);
  writeFileSync(join(resultsDir, `${stamp}.md`), markdown);
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(full, null, 2)}\n`);
  console.log(markdown);
  log(`bench: wrote bench/results/${stamp}.md and .json`);
  if (run.errors) process.exitCode = 1;
}

/** The newest earlier run in bench/results/ with a Glue figure (for the cost table of a --quick run). */
function previousGlue(resultsDir: string): BenchRun['previousGlue'] {
  const files = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse();
  for (const f of files) {
    try {
      const earlier = JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as Partial<BenchRun>;
      if (earlier.glue?.ok)
        return { ...earlier.glue, from: `run of ${earlier.startedAt} (${earlier.commit})` };
    } catch {
      // not a bench result: skip it
    }
  }
  return undefined;
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot })
      .toString()
      .trim();
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `bench: ${error.message}` : error);
  process.exitCode = 1;
});
