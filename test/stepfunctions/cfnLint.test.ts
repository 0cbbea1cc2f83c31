/** cfn-lint (PyPI, in .venv) on the packaged template; ignored rules and reasons: stepfunctions/cfn-lint-ignored.txt. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEMPLATE_FILE } from '@tributary/local-pipeline';
import { expect, it } from 'vitest';
import { packaged, repoRoot } from './support/packaged.ts';

const run = promisify(execFile);

function ignoredRules(): string[] {
  const lines = readFileSync(join(repoRoot, 'stepfunctions/cfn-lint-ignored.txt'), 'utf8').split('\n');
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [rule, ...reason] = l.split(/\s+/);
      if (!/^[EWI]\d{4}$/.test(rule!) || reason.length === 0) {
        throw new Error(`cfn-lint-ignored.txt: "${l}" is not "<rule id> <reason>"`);
      }
      return rule!;
    });
}

it.each(['dev', 'prod'])(
  'cfn-lint passes on the %s template, every rule but the listed ones',
  async (stage) => {
    const template = join(await packaged(stage), TEMPLATE_FILE);
    const ignored = ignoredRules();
    expect(ignored).toEqual(['W3005']);
    const args = ['--regions', 'eu-west-2', '--ignore-checks', ...ignored, '--', template];
    const result = await run(join(repoRoot, '.venv/bin/cfn-lint'), args).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  },
);
