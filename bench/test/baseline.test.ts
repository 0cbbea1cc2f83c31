/**
 * `pnpm bench --baseline <ref>` (bench/baseline/build.ts): a ref checked out in a git worktree with
 * its own node_modules builds a tributary contender whose core comes from that worktree, which the
 * ingestion runs to completion, and a github function bundle that cold-inits; the worktree is gone
 * afterwards. HEAD as the ref (any clone has it). Correctness only: nothing here is timed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BaselineBuild, buildBaseline, coldInits } from '../baseline/build.ts';
import { baselineRows } from '../baseline/report.ts';
import { runIngest } from '../ingest/runIngest.ts';
import { buildChildEntries, repoRoot } from '../lib/childEntries.ts';

const RECORDS = 2_500; // three pages of 1,000
const motoEndpoint = process.env.AWS_ENDPOINT_URL!;

let built: BaselineBuild;

beforeAll(async () => {
  built = await buildBaseline('HEAD', () => {});
  built.dispose();
});

afterAll(() => built?.dispose());

describe('the --baseline build', () => {
  it('takes the core from the worktree and removes the worktree after', () => {
    expect(built.commit).toBe(
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
    );
    expect(built.contenderInputs.fromTree).toBeGreaterThan(0);
    expect(built.contenderInputs.fromCurrentCore).toBe(0);
    expect(existsSync(built.tree)).toBe(false);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: repoRoot, encoding: 'utf8' })).not.toContain(
      built.tree,
    );
  });

  it('builds a contender the ingestion runs to completion, and a github bundle that cold-inits', {
    timeout: 120_000,
  }, async () => {
    const scripts = await buildChildEntries(['api', 'coldInit']);
    const outDir = mkdtempSync(join(tmpdir(), 'baseline-test-'));
    const [size] = await runIngest(
      {
        sizes: [{ records: RECORDS, repetitions: 1 }],
        pageSize: 1_000,
        contenders: ['baseline'],
        profile: [],
        heapMb: 512,
      },
      { scripts: { ...scripts, baseline: built.contender }, motoEndpoint, outDir, log: () => {} },
    );
    const run = size!.contenders.baseline!;
    expect(run.runs[0]?.error).toBeUndefined();
    expect(run).toMatchObject({ ok: true });
    expect(run.runs[0]).toMatchObject({ ok: true, records: RECORDS });

    const cold = await coldInits(built, { coldInitScript: scripts.coldInit, runs: 1, motoEndpoint, outDir });
    expect(cold.baselineCpuMs).toBeGreaterThan(0);
    expect(cold.currentCpuMs).toBeGreaterThan(0);
    const rows = baselineRows(
      {
        ref: 'HEAD',
        commit: built.commit,
        buildSeconds: built.buildSeconds,
        bundleBytes: { current: statSync(built.currentFn).size, baseline: statSync(built.fn).size },
        coldInit: cold,
      },
      [{ ...size!, contenders: { tributary: run, baseline: run } }],
    );
    expect(rows.map((r) => [r.ratio, r.within])[0]).toEqual([1, true]);
    // The same commit, built the same way: the same bundle.
    expect(statSync(built.fn).size).toBe(statSync(built.currentFn).size);
  });
});
