/**
 * The JSON Schemas in the repository are what `pnpm run schemas` writes from the core's zod
 * definitions (scripts/schemas.ts): a change to the manifest's definition without regenerating
 * fails here, so the curate job never validates against a stale contract.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedSchemas } from '../../scripts/schemas.ts';

const root = join(import.meta.dirname, '../..');

describe('generated JSON Schemas', () => {
  it.each(Object.entries(generatedSchemas()))('%s is current (run `pnpm run schemas`)', (path, text) => {
    expect(existsSync(join(root, path)), `${path} is missing: run pnpm run schemas`).toBe(true);
    expect(readFileSync(join(root, path), 'utf8'), `${path} is stale: run pnpm run schemas`).toBe(text);
  });
});
