/**
 * Until serverless.yml can package (or when it cannot run here), the bench bundles each
 * `functions/<name>/src/handler.ts` itself, with the options serverless-esbuild uses by default
 * for a Node 24 Lambda (CJS, bundled, minified, external AWS SDK v3 not assumed): an estimate, marked as such.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function buildFallbackBundles(repoRoot: string, work: string) {
  const names = readdirSync(join(repoRoot, 'functions')).filter((n) =>
    existsSync(join(repoRoot, 'functions', n, 'src/handler.ts')),
  );
  if (names.length === 0) throw new Error('no functions/*/src/handler.ts to bundle');
  return Promise.all(
    names.map(async (name) => {
      const dir = join(work, name);
      const file = join(dir, 'handler.js');
      await build({
        entryPoints: [join(repoRoot, 'functions', name, 'src/handler.ts')],
        outfile: file,
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node24',
        format: 'cjs',
        logLevel: 'error',
      });
      return { name, zip: null, zipBytes: null, dir, file, exportName: 'handler' };
    }),
  );
}
