/**
 * Bundles: each Lambda function's esbuild bundle as `sls package` (osls + serverless-esbuild)
 * produces it — one zip per function in `.serverless/` — its size, and its cold init: a fresh
 * Node process importing the bundle (which builds the handler), median of several. The function's
 * cold inits take turns with those of two baselines — a bundle that imports nothing and one that
 * only builds the S3 client (`small/baselineEmpty.ts`, `small/baselineSdk.ts`, bundled as
 * serverless.yml bundles the functions: CommonJS, minified; the same flags and environment) — so
 * that the target is judged against figures of the same loop and load (issue 18 item 6).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageService } from '@tributary/local-pipeline';
import { build } from 'esbuild';
import { lambdaNodeFlags } from '../lib/lambdaFlags.ts';
import { runChild } from '../lib/runChild.ts';
import { median } from '../lib/stats.ts';
import { coldInitEnv } from './coldInitEnv.ts';
import { buildFallbackBundles } from './fallbackBundles.ts';

export interface FunctionBundle {
  function: string;
  /** Where the size comes from: the `sls package` zip, or the bench's own esbuild fallback. */
  origin: 'sls package' | 'esbuild fallback';
  zipBytes: number | null;
  /** The handler's JavaScript file (the bundle itself), unzipped. */
  bundleBytes: number;
  /** Everything in the zip, unzipped (source maps, extra files included). */
  unzippedBytes: number;
  coldInit: {
    ok: boolean;
    error?: string;
    runs: number;
    /** Median, ms from the process's start to the handler built (Node's boot included). */
    readyMs: number;
    /** Median, ms of `await import(bundle)` alone. */
    importMs: number;
    /** Median, CPU ms of the process until the handler is built (all threads): what the init costs
     * when nothing else competes for the CPU, so the figure to trust on a busy machine. */
    cpuMs: number;
    /** Median, ms from fork() in the parent to the child's report (process spawn included). */
    spawnToReadyMs: number;
    /** Median CPU ms of the SDK-only baseline's cold inits, in turn with this function's. */
    sdkCpuMs?: number;
    /** Median CPU ms of the empty baseline's (Node's boot and the harness), in turn with this function's. */
    emptyCpuMs?: number;
  };
}

export interface BundlesResult {
  origin: FunctionBundle['origin'];
  note?: string;
  packageSeconds: number;
  /** The package was reused from packageService's cache (same inputs). */
  cached: boolean;
  /** Cold inits per function. */
  coldRuns: number;
  functions: FunctionBundle[];
}

interface Packaged {
  name: string;
  zip: string | null;
  /** Taken when unzipped: the package folder may be cleaned by another packaging meanwhile. */
  zipBytes: number | null;
  dir: string;
  /** Path of the handler file inside `dir`. */
  file: string;
  exportName: string;
  /** The function's environment from serverless.yml (provider's merged in), as packaged. */
  environment?: Record<string, unknown>;
}

export async function runBundles(
  options: {
    repoRoot: string;
    coldInitScript: string;
    outDir: string;
    coldRuns: number;
    motoEndpoint: string;
  },
  log: (line: string) => void,
): Promise<BundlesResult> {
  const t0 = performance.now();
  let origin: FunctionBundle['origin'] = 'sls package';
  let note: string | undefined;
  let packaged: Packaged[];
  let cached = false;
  const work = mkdtempSync(join(tmpdir(), 'tributary-bundles-'));
  try {
    try {
      ({ packaged, cached } = await slsPackage(options.repoRoot, work, log));
    } catch (error) {
      origin = 'esbuild fallback';
      note = `sls package unavailable (${String(error).split('\n')[0]}): bundled functions/*/src/handler.ts with esbuild directly`;
      log(`bundles: ${note}`);
      packaged = await buildFallbackBundles(options.repoRoot, work);
    }
    const packageSeconds = (performance.now() - t0) / 1000;
    const baselines = await buildBaselines(options.repoRoot, work);
    const functions: FunctionBundle[] = [];
    for (const fn of packaged) {
      const bundleBytes = statSync(fn.file).size;
      const unzippedBytes = dirSize(fn.dir);
      const coldInit = await coldInits(fn, options, baselines);
      functions.push({
        function: fn.name,
        origin,
        zipBytes: fn.zipBytes,
        bundleBytes,
        unzippedBytes,
        coldInit,
      });
      log(
        `  ${fn.name.padEnd(16)} bundle ${(bundleBytes / 1024).toFixed(0)} KB, cold init ` +
          (coldInit.ok ? `${coldInit.readyMs.toFixed(0)} ms` : `FAILED: ${coldInit.error}`),
      );
    }
    return {
      origin,
      ...(note ? { note } : {}),
      packageSeconds,
      cached,
      coldRuns: options.coldRuns,
      functions,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `sls package` through the team's `packageService` (cached under node_modules/.cache/local-pipeline
 * while serverless.yml, the sources and the core are unchanged), then each function's zip unzipped
 * into `work/<function>`.
 */
async function slsPackage(
  repoRoot: string,
  work: string,
  log: (line: string) => void,
): Promise<{ packaged: Packaged[]; cached: boolean }> {
  if (!existsSync(join(repoRoot, 'serverless.yml'))) throw new Error('no serverless.yml');
  log('bundles: sls package --stage dev (packageService, cached by its inputs) …');
  const { dir: packageDir, cached } = await packageService({ stage: 'dev', cache: true });
  if (cached) log(`bundles: reusing ${packageDir}`);
  const state = JSON.parse(readFileSync(join(packageDir, 'serverless-state.json'), 'utf8')) as {
    service: {
      provider?: { environment?: Record<string, unknown> };
      functions: Record<
        string,
        { handler: string; environment?: Record<string, unknown>; package?: { artifact?: string } }
      >;
    };
    package?: { artifact?: string };
  };
  const out: Packaged[] = [];
  for (const [name, fn] of Object.entries(state.service.functions)) {
    const artifact = fn.package?.artifact ?? state.package?.artifact;
    if (!artifact) throw new Error(`no artifact for function ${name} in serverless-state.json`);
    const zip = join(packageDir, artifact.split('/').pop()!);
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    const zipBytes = statSync(zip).size;
    // Python's zipfile (the bootstrap's .venv), not an unzip binary a fresh machine may lack.
    execFileSync(join(repoRoot, '.venv/bin/python'), ['-m', 'zipfile', '-e', zip, dir]);
    const dot = fn.handler.lastIndexOf('.');
    const base = fn.handler.slice(0, dot);
    const file = ['.js', '.mjs', '.cjs'].map((ext) => join(dir, base + ext)).find((f) => existsSync(f));
    if (!file) throw new Error(`handler file ${base}.{js,mjs,cjs} not found in ${zip}`);
    const environment = { ...state.service.provider?.environment, ...fn.environment };
    out.push({ name, zip, zipBytes, dir, file, exportName: fn.handler.slice(dot + 1), environment });
  }
  if (out.length === 0) throw new Error('serverless-state.json lists no functions');
  return { packaged: out, cached };
}

/** The same-loop baselines: a bundle that imports nothing, and one that only builds the S3 client. */
interface Baselines {
  empty: string;
  sdk: string;
}

/**
 * The baselines (`small/baselineEmpty.ts`: Node's boot and the harness; `small/baselineSdk.ts`:
 * imports the S3 client and constructs one, what any Lambda writing to S3 pays) bundled with
 * serverless.yml's esbuild options for the functions.
 */
async function buildBaselines(repoRoot: string, work: string): Promise<Baselines> {
  const one = async (name: string) => {
    const outfile = join(work, `${name}.cjs`);
    await build({
      entryPoints: [join(repoRoot, `bench/small/${name}.ts`)],
      outfile,
      bundle: true,
      minify: true,
      keepNames: true,
      target: 'node24',
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      logLevel: 'error',
    });
    return outfile;
  };
  return { empty: await one('baselineEmpty'), sdk: await one('baselineSdk') };
}

interface ColdInitReport {
  ok: boolean;
  error?: string;
  importMs: number;
  readyMs: number;
  cpuMs: number;
}

async function coldInits(
  fn: Packaged,
  options: { coldInitScript: string; outDir: string; coldRuns: number; motoEndpoint: string },
  baselines?: Baselines,
): Promise<FunctionBundle['coldInit']> {
  const ready: number[] = [];
  const imports: number[] = [];
  const spawns: number[] = [];
  const cpus: number[] = [];
  const sdkCpus: number[] = [];
  const emptyCpus: number[] = [];
  let error: string | undefined;
  const start = (file: string, exportName: string, log: string) =>
    runChild<ColdInitReport>(options.coldInitScript, {
      args: [file, exportName],
      // As Lambda starts it: through the wrapper's V8 flags.
      nodeArgs: lambdaNodeFlags(),
      logFile: join(options.outDir, `coldinit-${log}.log`),
      env: coldInitEnv(fn, options.motoEndpoint),
    });
  const baseline = async (file: string, into: number[]) => {
    const b = await start(file, 'handler', `${fn.name}-baselines`);
    if (b.message?.ok) into.push(b.message.cpuMs);
  };
  for (let i = 0; i < options.coldRuns && !error; i++) {
    // The function and the baselines in turn, the order rotating: none always follows another.
    const steps: (() => Promise<void>)[] = [
      async () => {
        const outcome = await start(fn.file, fn.exportName, fn.name);
        const m = outcome.message;
        if (!m?.ok) {
          error = m?.error ?? `exited (code ${outcome.code}) without a report`;
          return;
        }
        ready.push(m.readyMs);
        imports.push(m.importMs);
        spawns.push(outcome.spawnToMessageMs);
        cpus.push(m.cpuMs);
      },
      ...(baselines
        ? [() => baseline(baselines.sdk, sdkCpus), () => baseline(baselines.empty, emptyCpus)]
        : []),
    ];
    for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]!();
  }
  return {
    ok: !error,
    ...(error ? { error } : {}),
    runs: ready.length,
    readyMs: median(ready),
    importMs: median(imports),
    spawnToReadyMs: median(spawns),
    cpuMs: median(cpus),
    ...(sdkCpus.length > 0 ? { sdkCpuMs: median(sdkCpus) } : {}),
    ...(emptyCpus.length > 0 ? { emptyCpuMs: median(emptyCpus) } : {}),
  };
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}
