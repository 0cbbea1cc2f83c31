/**
 * The bench's child processes run as plain JavaScript, bundled once with esbuild (as Lambda runs
 * them), so that no TypeScript loader's start-up or transpiling counts against anyone.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';

export const benchDir = resolve(import.meta.dirname, '..');
export const repoRoot = resolve(benchDir, '..');
export const buildDir = join(repoRoot, 'node_modules/.cache/tributary-bench');

export const ENTRIES = {
  api: 'api/server.ts',
  ceiling: 'contenders/ceiling.ts',
  naive: 'contenders/naive.ts',
  tributary: 'contenders/tributary.ts',
  tributaryFloor: 'contenders/tributaryFloor.ts',
  /** One slice of the fan-out case: the handler with `slice: true`, started on `'go'`. */
  tributarySlice: 'contenders/tributarySlice.ts',
  /** The small run: the handler invoked three times in one process (cold, then warm). */
  tributaryWarm: 'contenders/tributaryWarm.ts',
  /** tributary.ts unminified, for a profile that names modules (the small run's). */
  tributaryNamed: 'contenders/tributary.ts',
  limitedApi: 'api/limitedServer.ts',
  coldInit: 'bundles/coldInit.ts',
  baselineEmpty: 'small/baselineEmpty.ts',
  baselineSdk: 'small/baselineSdk.ts',
} as const;
export type EntryName = keyof typeof ENTRIES;

/** Built without minifying: the `// <path>` comments esbuild writes let a profile name each module. */
const UNMINIFIED: ReadonlySet<EntryName> = new Set(['tributaryNamed']);

/** How a contender is bundled: an ES module for Node 24, as the bench runs every child process. */
export const contenderOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // As serverless.yml bundles the functions: the SDK's ES modules (tree-shaken, not its whole
  // CommonJS build: measured 13 → ? MB of live heap for the tributary contender), minified.
  mainFields: ['module', 'main'],
  minify: true,
  keepNames: true,
  logLevel: 'error',
  // CJS dependencies (the AWS SDK, axios) inside an ESM bundle need a require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
} satisfies BuildOptions;

/** Bundles every child entry (or those named) to `<buildDir>/<name>.mjs`; returns the paths. */
export async function buildChildEntries(
  only: readonly EntryName[] = Object.keys(ENTRIES) as EntryName[],
): Promise<Record<EntryName, string>> {
  mkdirSync(buildDir, { recursive: true });
  const out = {} as Record<EntryName, string>;
  await Promise.all(
    only.map(async (name) => {
      const outfile = join(buildDir, `${name}.mjs`);
      await build({
        ...contenderOptions,
        entryPoints: [join(benchDir, ENTRIES[name])],
        outfile,
        minify: !UNMINIFIED.has(name),
      });
      out[name] = outfile;
    }),
  );
  return out;
}
