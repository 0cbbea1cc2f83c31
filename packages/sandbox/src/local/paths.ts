/** Where the repo's local toolchain lives (scripts/bootstrap.sh puts it there). */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export const paths = {
  python: join(repoRoot, '.venv/bin/python'),
  motoServer: join(repoRoot, '.venv/bin/moto_server'),
  icebergJar: join(repoRoot, '.tools/jars/iceberg-spark-runtime-3.5_2.12-1.7.1.jar'),
  curateScript: join(repoRoot, 'glue-scripts/curate.py'),
  readCurated: join(repoRoot, 'packages/sandbox/python/read_curated.py'),
  packagedTemplate: join(repoRoot, '.serverless/cloudformation-template-update-stack.json'),
};
