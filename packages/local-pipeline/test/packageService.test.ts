import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageInputsHash, packageService, TEMPLATE_FILE } from '../src/index.ts';

describe('packageInputsHash', () => {
  it('changes with what the package is built from, not with tests or docs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'service-'));
    const put = (path: string, text: string) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    put('serverless.yml', 'service: x\n');
    put('stepfunctions/ingest.asl.yml', 'StartAt: A\n');
    put('functions/a/function.yml', 'functions: {}\n');
    put('functions/a/src/handler.ts', 'export const handler = 1;\n');
    put('packages/core/src/index.ts', 'export {};\n');
    const base = await packageInputsHash(dir, 'dev');

    put('functions/a/test/a.test.ts', 'test\n');
    put('functions/a/README.md', 'docs\n');
    expect(await packageInputsHash(dir, 'dev')).toBe(base);
    expect(await packageInputsHash(dir, 'prod')).not.toBe(base);

    for (const [path, text] of [
      ['functions/a/src/handler.ts', 'export const handler = 2;\n'],
      ['stepfunctions/ingest.asl.yml', 'StartAt: B\n'],
      ['packages/core/src/index.ts', 'export const x = 1;\n'],
      ['serverless.yml', 'service: y\n'],
    ] as const) {
      const before = await packageInputsHash(dir, 'dev');
      put(path, text);
      expect(await packageInputsHash(dir, 'dev'), path).not.toBe(before);
    }
  });
});

describe('packageService', () => {
  it('packages the service once and reuses the package while its inputs are unchanged', async () => {
    const first = await packageService({ stage: 'dev', cache: true });
    const second = await packageService({ stage: 'dev', cache: true });

    expect(second).toEqual({ dir: first.dir, cached: true });
    expect(existsSync(join(first.dir, TEMPLATE_FILE))).toBe(true);
    expect(existsSync(join(first.dir, 'github.zip'))).toBe(true);
  });

  it('refuses an output folder inside .serverless/, which osls would copy into itself', async () => {
    await expect(packageService({ outDir: '.serverless/mine' })).rejects.toThrow(/inside .*\.serverless/);
  });
});
