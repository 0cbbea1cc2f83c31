/**
 * Runs `sls package` (osls, offline) for a stage. With `cache: true` the package is kept under
 * `node_modules/.cache/local-pipeline/<stage>-<region>-<hash of the inputs>/` (outside
 * `.serverless/`, which osls copies into the package folder) and reused while serverless.yml, the ASL, the
 * deploy scripts, the sources and the core are unchanged; concurrent callers (parallel test files)
 * wait on one lock so the service is packaged once.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackagingError } from './errors.ts';

export interface PackageServiceOptions {
  /** @default 'dev' */
  stage?: string;
  /** @default the provider's default in serverless.yml */
  region?: string;
  /** The folder holding serverless.yml. @default the repository root */
  serviceDir?: string;
  /** Where the package goes, relative to serviceDir (ignored with `cache`). @default '.serverless' */
  outDir?: string;
  /** Reuse a package of identical inputs. @default false */
  cache?: boolean;
  /** @default 600000 (10 min) */
  timeoutMs?: number;
  /** `--param="name=value"` overrides of serverless.yml's stage params. @default none */
  params?: Record<string, string>;
}

export interface PackagedService {
  /** Folder with the CloudFormation templates and the function zips. */
  dir: string;
  /** True when an earlier package was reused. */
  cached: boolean;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const COMPLETE = '.complete';
const LOCK_STALE_MS = 15 * 60_000;
const KEEP_OLDER = 2;

/** What the package is made of: hashed to key the cache. */
const INPUT_GLOBS: { dir: string; match: (path: string) => boolean }[] = [
  { dir: '.', match: (p) => ['serverless.yml', 'package.json', 'pnpm-lock.yaml'].includes(p) },
  { dir: 'stepfunctions', match: () => true },
  { dir: 'scripts/serverless', match: () => true },
  { dir: 'scripts/lambda', match: () => true },
  // function.yml, and the variable resolvers it may call (e.g. functions/socrata/raw-tables.cjs).
  {
    dir: 'functions',
    match: (p) => /^functions\/[^/]+\/(function\.yml|package\.json|[^/]+\.cjs|src\/.*)$/.test(p),
  },
  { dir: 'packages/core', match: (p) => /^packages\/core\/(package\.json|src\/.*)$/.test(p) },
];

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const path = dir === '.' ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (dir !== '.') await walk(root, path, out);
    } else out.push(path);
  }
}

/** A hash of every file the package is built from, with the stage and region. */
export async function packageInputsHash(serviceDir: string, stage: string, region = ''): Promise<string> {
  const hash = createHash('sha256').update(`${stage}\0${region}\0`);
  for (const { dir, match } of INPUT_GLOBS) {
    const files: string[] = [];
    await walk(serviceDir, dir, files);
    for (const file of files.filter(match).sort()) {
      hash
        .update(`${file}\0`)
        .update(await readFile(join(serviceDir, file)))
        .update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function runSls(serviceDir: string, args: string[], timeoutMs: number): Promise<void> {
  const bin = join(serviceDir, 'node_modules/.bin/sls');
  if (!existsSync(bin)) {
    return Promise.reject(new PackagingError(`${relative(process.cwd(), bin)} not found: run pnpm install`));
  }
  return new Promise((ok, fail) => {
    // The bin shim runs `node` from PATH: make it this Node (24), not the system's.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
    const child = spawn(bin, args, { cwd: serviceDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(new PackagingError(`could not run sls: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) ok();
      else {
        const why = signal ? `was killed (${signal}, timeout ${timeoutMs} ms)` : `exited with ${code}`;
        fail(new PackagingError(`sls ${args.join(' ')} ${why}:\n${output}`));
      }
    });
  });
}

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > LOCK_STALE_MS) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` holding the lock `packageService({ cache: true })` takes around `sls package`: for
 * anything else that builds in the service's `.esbuild/` (e.g. `sls invoke local` in a test) while
 * other test files may be packaging the same folder.
 */
export async function withServiceLock<T>(fn: () => Promise<T>, serviceDir = repoRoot): Promise<T> {
  const cacheRoot = join(serviceDir, 'node_modules', '.cache', 'local-pipeline');
  await mkdir(cacheRoot, { recursive: true });
  return withLock(join(cacheRoot, '.lock'), fn);
}

export async function packageService(options: PackageServiceOptions = {}): Promise<PackagedService> {
  const stage = options.stage ?? 'dev';
  const serviceDir = options.serviceDir ?? repoRoot;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const params = Object.entries(options.params ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const args = [
    'package',
    '--stage',
    stage,
    ...(options.region ? ['--region', options.region] : []),
    ...params.map(([name, value]) => `--param=${name}=${value}`),
  ];

  if (!options.cache) {
    const dir = resolve(serviceDir, options.outDir ?? '.serverless');
    const work = join(serviceDir, '.serverless');
    if (dir !== work && dir.startsWith(`${work}/`)) {
      // osls builds in .serverless/ and then copies it into --package: a folder inside it never ends.
      throw new PackagingError(
        `outDir ${dir} is inside ${work}, which osls copies into it; choose another folder`,
      );
    }
    await runSls(serviceDir, [...args, '--package', dir], timeoutMs);
    return { dir, cached: false };
  }

  const cacheRoot = join(serviceDir, 'node_modules', '.cache', 'local-pipeline');
  await mkdir(cacheRoot, { recursive: true });
  return withLock(join(cacheRoot, '.lock'), async () => {
    const key = `${stage}-${options.region ?? 'default'}-${await packageInputsHash(serviceDir, `${stage}\0${JSON.stringify(params)}`, options.region)}`;
    const dir = join(cacheRoot, key);
    if (existsSync(join(dir, COMPLETE))) return { dir, cached: true };
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await runSls(serviceDir, [...args, '--package', tmp], timeoutMs);
    await writeFile(join(tmp, COMPLETE), new Date().toISOString());
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    // Older packages of this stage are stale: keep the two newest besides this one, so a reader
    // of a package made moments ago (another test file) does not lose it mid-run.
    const older = [];
    for (const name of await readdir(cacheRoot)) {
      if (name.startsWith(`${stage}-`) && name !== key && !name.includes('.tmp-')) {
        older.push({ name, mtimeMs: (await stat(join(cacheRoot, name))).mtimeMs });
      }
    }
    older.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { name } of older.slice(KEEP_OLDER)) {
      await rm(join(cacheRoot, name), { recursive: true, force: true });
    }
    return { dir, cached: false };
  });
}
