/**
 * Builds what the transport A/B runs, once per transport, with the core's own transport
 * (packages/core/src/http/transport.ts) swapped for the contender's at bundle time by an esbuild
 * plugin, so that everything else — the core, the source, the landing — is the same code:
 *
 * - `contender`: bench/contenders/tributary.ts as the ingestion bench bundles it (ESM, minified);
 * - `fn`: functions/github/src/handler.ts with serverless.yml's esbuild options (CJS, minified,
 *   keepNames, mainFields module/main): the bundle whose size is compared;
 * - `cold`: the same function plus an export of the transport's `transmit`, for the cold init to
 *   send its first request through (coldFirst.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { benchDir, buildDir, contenderOptions, repoRoot } from '../lib/childEntries.ts';

export const TRANSPORTS = ['ours', 'undici', 'fetch'] as const;
export type Transport = (typeof TRANSPORTS)[number];

const CORE_TRANSPORT = join(repoRoot, 'packages/core/src/http/transport.ts');
const REPLACEMENT: Record<Exclude<Transport, 'ours'>, string> = {
  undici: join(benchDir, 'transport/undiciTransport.ts'),
  fetch: join(benchDir, 'transport/fetchTransport.ts'),
};

/** Resolves the core's `./transport.ts` to the contender's, except from the contender itself. */
function swapTransport(transport: Transport): Plugin {
  return {
    name: 'swap-transport',
    setup(b) {
      if (transport === 'ours') return;
      const replacement = REPLACEMENT[transport];
      b.onResolve({ filter: /transport\.ts$/ }, (args) => {
        if (args.importer.startsWith(join(benchDir, 'transport'))) return undefined;
        const resolved = join(args.resolveDir, args.path);
        return resolved === CORE_TRANSPORT ? { path: replacement } : undefined;
      });
    },
  };
}

export interface TransportBuild {
  contender: string;
  fn: string;
  cold: string;
}

/** serverless.yml's esbuild options (the source map aside): how a function is bundled. */
export const fnOptions: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  mainFields: ['module', 'main'],
  logLevel: 'error',
};

export async function buildTransport(transport: Transport): Promise<TransportBuild> {
  const dir = join(buildDir, 'transport', transport);
  mkdirSync(dir, { recursive: true });
  const plugins = [swapTransport(transport)];
  const out: TransportBuild = {
    contender: join(dir, 'tributary.mjs'),
    fn: join(dir, 'handler.cjs'),
    cold: join(dir, 'cold.cjs'),
  };
  await Promise.all([
    build({
      ...contenderOptions,
      entryPoints: [join(benchDir, 'contenders/tributary.ts')],
      outfile: out.contender,
      plugins,
    }),
    build({
      ...fnOptions,
      entryPoints: [join(repoRoot, 'functions/github/src/handler.ts')],
      outfile: out.fn,
      plugins,
    }),
    build({
      ...fnOptions,
      stdin: {
        contents: [
          "export { handler } from './functions/github/src/handler.ts';",
          "export { transmit } from './packages/core/src/http/transport.ts';",
        ].join('\n'),
        resolveDir: repoRoot,
        loader: 'ts',
        sourcefile: 'cold-entry.ts',
      },
      outfile: out.cold,
      plugins,
    }),
  ]);
  return out;
}

/** The cold-init child (plain: it loads whichever `cold` bundle it is given). */
export async function buildColdFirst(): Promise<string> {
  const outfile = join(buildDir, 'transport', 'coldFirst.mjs');
  await build({
    entryPoints: [join(benchDir, 'transport/coldFirst.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    logLevel: 'error',
  });
  return outfile;
}
