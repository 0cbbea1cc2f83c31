/**
 * The lockfile carries every platform package of the tools it locks (biome's and esbuild's
 * binaries for every OS and CPU), as pnpm writes it whenever it resolves. A lockfile trimmed to one
 * machine's platforms gets those lines back on the next resolution, so `pnpm new-source` (which
 * runs `pnpm install` for the new package) would rewrite ~80 lines that have nothing to do with it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const lock = parse(readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')) as {
  importers: Record<string, { devDependencies?: Record<string, { version: string }> }>;
  packages: Record<string, unknown>;
};
const require = createRequire(join(root, 'package.json'));

describe('pnpm-lock.yaml', () => {
  it.each(['@biomejs/biome', 'esbuild'])('locks every optional platform package of %s', (name) => {
    const manifest = require(`${name}/package.json`) as {
      version: string;
      optionalDependencies?: Record<string, string>;
    };
    const platforms = Object.entries(manifest.optionalDependencies ?? {});
    expect(platforms.length).toBeGreaterThan(3);
    const missing = platforms
      .map(([dep, version]) => `${dep}@${version}`)
      .filter((key) => !(key in lock.packages));
    expect(missing).toEqual([]);
  });
});
