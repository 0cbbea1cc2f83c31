/**
 * `pnpm run schemas`: writes the JSON Schemas generated from the core's zod definitions into the
 * repository. Today one: the manifest's reader contract (packages/core/src/landing/ManifestSchema.ts)
 * → glue-scripts/tributary_curate/manifest.schema.json, inside the curate job's package so it ships
 * with the job (the upload zips it with the package's modules). test/repo/schemas.test.ts fails
 * while a written file differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestJsonSchema } from '@tributary/core/raw-zone';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each generated file, by its path in the repository, and its text. */
export function generatedSchemas(): Record<string, string> {
  return {
    'glue-scripts/tributary_curate/manifest.schema.json': `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [path, text] of Object.entries(generatedSchemas())) {
    writeFileSync(join(repoRoot, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
