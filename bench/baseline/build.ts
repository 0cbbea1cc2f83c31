/**
 * `pnpm bench --baseline <git-ref>`: the same run measures the code as it was at `<ref>` beside the
 * code as it is (issue 14: "CPU per record and cold-init CPU within 5 % of today's, measured in the
 * same run on the same machine"). The ref is checked out in a `git worktree` under /tmp with its own
 * node_modules (`pnpm install --frozen-lockfile --offline --ignore-scripts`: from the local store,
 * its own lockfile), and two things are built from it with this checkout's esbuild:
 *
 * - `contender`: this checkout's bench/contenders/tributary.ts (the same harness, source and
 *   measurement) with `@tributary/core` resolved in the worktree: the baseline's core, with the
 *   baseline's dependencies; run by the ingestion beside `tributary`, order rotating;
 * - `fn`: the worktree's functions/github/src/handler.ts with serverless.yml's esbuild options
 *   (as the transport A/B builds it), and `currentFn` the same from this checkout, built the same
 *   way, so that the cold inits and sizes compare like with like (coldInits below).
 *
 * The worktree is removed by `dispose()` (the bundles are self-contained and stay in the build dir).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { coldInitEnv } from '../bundles/coldInitEnv.ts';
import { benchDir, buildDir, contenderOptions, repoRoot } from '../lib/childEntries.ts';
import { lambdaNodeFlags } from '../lib/lambdaFlags.ts';
import { runChild } from '../lib/runChild.ts';
import { median } from '../lib/stats.ts';
import { fnOptions } from '../transport/build.ts';

export interface BaselineBuild {
  /** The ref as given, and the commit it names (short). */
  ref: string;
  commit: string;
  contender: string;
  fn: string;
  currentFn: string;
  /** The worktree (gone after `dispose()`). */
  tree: string;
  /** The contender bundle's inputs: how many came from the worktree, how many from this checkout's core. */
  contenderInputs: { fromTree: number; fromCurrentCore: number };
  /** Seconds to check out, install and build. */
  buildSeconds: number;
  dispose(): void;
}

const git = (args: string[], cwd = repoRoot) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** `@tributary/core` (and its subpaths) resolved from the worktree's own node_modules. */
function coreFrom(tree: string): Plugin {
  return {
    name: 'baseline-core',
    setup(b) {
      b.onResolve({ filter: /^@tributary\/core(\/.*)?$/ }, (args) =>
        args.pluginData === 'baseline'
          ? undefined
          : b.resolve(args.path, {
              kind: args.kind,
              resolveDir: join(tree, 'bench'),
              pluginData: 'baseline',
            }),
      );
    },
  };
}

export async function buildBaseline(ref: string, log: (line: string) => void): Promise<BaselineBuild> {
  const t0 = performance.now();
  const commit = git(['rev-parse', '--short', `${ref}^{commit}`]);
  const root = mkdtempSync(join(tmpdir(), `tributary-baseline-${commit}-`));
  const tree = join(root, 'tree');
  const dispose = () => {
    try {
      git(['worktree', 'remove', '--force', tree]);
    } catch {
      // not added, or already gone: prune below
    }
    rmSync(root, { recursive: true, force: true });
    git(['worktree', 'prune']);
  };
  try {
    log(`baseline: ${ref} = ${commit}: git worktree in ${tree}, pnpm install --offline …`);
    git(['worktree', 'add', '--detach', tree, commit]);
    execFileSync('pnpm', ['install', '--frozen-lockfile', '--offline', '--ignore-scripts'], {
      cwd: tree,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = join(buildDir, 'baseline', commit);
    mkdirSync(out, { recursive: true });
    const paths = {
      contender: join(out, 'tributary.mjs'),
      fn: join(out, 'handler.cjs'),
      currentFn: join(buildDir, 'baseline', 'current-handler.cjs'),
    };
    const [contender] = await Promise.all([
      build({
        ...contenderOptions,
        absWorkingDir: repoRoot,
        metafile: true,
        entryPoints: [join(benchDir, 'contenders/tributary.ts')],
        outfile: paths.contender,
        plugins: [coreFrom(tree)],
      }),
      build({
        ...fnOptions,
        entryPoints: [join(tree, 'functions/github/src/handler.ts')],
        outfile: paths.fn,
      }),
      build({
        ...fnOptions,
        entryPoints: [join(repoRoot, 'functions/github/src/handler.ts')],
        outfile: paths.currentFn,
      }),
    ]);
    const inputs = Object.keys(contender.metafile.inputs).map((p) => resolve(repoRoot, p));
    const contenderInputs = {
      fromTree: inputs.filter((p) => p.startsWith(`${tree}/`)).length,
      fromCurrentCore: inputs.filter((p) => p.startsWith(join(repoRoot, 'packages/core/'))).length,
    };
    const buildSeconds = (performance.now() - t0) / 1000;
    return { ref, commit, ...paths, tree, contenderInputs, buildSeconds, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

export interface ColdInitPair {
  runs: number;
  /** Median CPU ms of `node -e 0`, measured in the same loop. */
  nodeEmptyCpuMs: number;
  /** Median init CPU ms (process start → handler built, bundles/coldInit.ts), each side. */
  currentCpuMs: number;
  baselineCpuMs: number;
}

/** Cold inits of the two github bundles, alternating (which goes first rotates), with `node -e 0`. */
export async function coldInits(
  b: Pick<BaselineBuild, 'fn' | 'currentFn'>,
  opts: { coldInitScript: string; runs: number; motoEndpoint: string; outDir: string },
): Promise<ColdInitPair> {
  const cpu = { current: [] as number[], baseline: [] as number[], node: [] as number[] };
  const env = coldInitEnv({ name: 'github' }, opts.motoEndpoint);
  for (let rep = 0; rep < opts.runs; rep++) {
    const order = rep % 2 ? (['baseline', 'current'] as const) : (['current', 'baseline'] as const);
    for (const side of order) {
      const outcome = await runChild<{ ok: boolean; error?: string; cpuMs: number }>(opts.coldInitScript, {
        args: [side === 'current' ? b.currentFn : b.fn, 'handler'],
        nodeArgs: lambdaNodeFlags(),
        logFile: join(opts.outDir, `baseline-coldinit-${side}.log`),
        env,
      });
      const m = outcome.message;
      if (!m?.ok)
        throw new Error(`baseline: ${side} cold init failed: ${m?.error ?? `exit ${outcome.code}`}`);
      cpu[side].push(m.cpuMs);
    }
    cpu.node.push(nodeEmptyCpu());
  }
  return {
    runs: opts.runs,
    nodeEmptyCpuMs: median(cpu.node),
    currentCpuMs: median(cpu.current),
    baselineCpuMs: median(cpu.baseline),
  };
}

function nodeEmptyCpu(): number {
  const out = execFileSync(
    process.execPath,
    [...lambdaNodeFlags(), '-e', 'const c = process.cpuUsage(); console.log((c.user + c.system) / 1000)'],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}
