/**
 * checkov (PyPI, in its own venv .tools/checkov-venv: its pins clash with .venv's) on the packaged
 * template: every check passes but the ones listed, with their reasons, in
 * stepfunctions/checkov-skipped.txt (and a resource's own Metadata.checkov.skip, with its comment).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEMPLATE_FILE } from '@tributary/local-pipeline';
import { expect, it } from 'vitest';
import { packaged, repoRoot } from './support/packaged.ts';

const run = promisify(execFile);
const CHECKOV = join(repoRoot, '.tools/checkov-venv/bin/checkov');

function skippedChecks(): string[] {
  const lines = readFileSync(join(repoRoot, 'stepfunctions/checkov-skipped.txt'), 'utf8').split('\n');
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [id, ...reason] = l.split(/\s+/);
      if (!/^CKV_AWS_\d+$/.test(id!) || reason.length < 3) {
        throw new Error(`checkov-skipped.txt: "${l}" is not "<check id> <reason>"`);
      }
      return id!;
    });
}

interface CheckovReport {
  summary: { passed: number; failed: number; parsing_errors: number };
  results: {
    failed_checks: { check_id: string; check_name: string; resource: string }[];
    skipped_checks: { check_id: string; resource: string; check_result: { suppress_comment?: string } }[];
  };
}

async function checkov(template: string, skip: string[]): Promise<CheckovReport> {
  if (!existsSync(CHECKOV)) throw new Error(`${CHECKOV} is missing: run scripts/bootstrap.sh`);
  const args = [
    '-f',
    template,
    '--framework',
    'cloudformation',
    '--skip-check',
    skip.join(','),
    '-o',
    'json',
  ];
  const out = await run(CHECKOV, args, { maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => r.stdout,
    // checkov exits 1 when a check fails; the report is on stdout all the same.
    (e: { stdout?: string; stderr?: string }) => {
      if (!e.stdout) throw new Error(`checkov did not run: ${e.stderr}`);
      return e.stdout;
    },
  );
  return JSON.parse(out) as CheckovReport;
}

it.each(['dev', 'prod'])(
  'checkov passes on the %s template, every check but the listed ones',
  async (stage) => {
    const dir = await packaged(stage);
    const skip = skippedChecks();
    expect(skip.length).toBeGreaterThan(0);

    const report = await checkov(join(dir, TEMPLATE_FILE), skip);

    const failed = report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}: ${c.check_name}`);
    expect(failed).toEqual([]);
    expect(report.summary.parsing_errors).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(100);
    // A skip inside the template (Metadata.checkov.skip) says why.
    for (const s of report.results.skipped_checks)
      expect(s.check_result.suppress_comment, `${s.check_id} ${s.resource}`).toMatch(/\w{3,} \w{3,}/);
  },
  120_000,
);

it('the skipped checks are ones that fire on this template (the list holds no stale entry)', async () => {
  const dir = await packaged('dev');
  const report = await checkov(join(dir, TEMPLATE_FILE), ['CKV_AWS_0']);
  const firing = new Set(report.results.failed_checks.map((c) => c.check_id));
  for (const id of skippedChecks()) expect(firing.has(id), `${id} in checkov-skipped.txt`).toBe(true);
}, 120_000);
