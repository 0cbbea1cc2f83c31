/**
 * `pnpm local:invoke` end to end: the real `sls invoke local` of the stripe source against moto and
 * the sandbox, in the shell `local:up` writes, with a safety margin as long as the function's
 * timeout so that every invocation lands one page and returns `partial`. The first command saves
 * the continuation and prints the one command that goes on; that command (`--continue --follow`)
 * invokes until complete, and the landed records are exactly the ones the sandbox served. The
 * shell's POWERTOOLS_LOG_LEVEL reaches the handler (serverless.yml no longer pins it).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withServiceLock } from '@tributary/local-pipeline';
import { type LocalStack, localShellEnv, repoRoot, startLocalStack } from '@tributary/sandbox/local';
import { readLanded } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: LocalStack;
let dir: string;
let env: NodeJS.ProcessEnv;
const runId = '2026-11-23T06-00-00Z-local-invoke';

beforeAll(async () => {
  stack = await startLocalStack({ sandbox: { records: 250, faults: false } });
  dir = await mkdtemp(join(tmpdir(), 'local-invoke-'));
  env = {
    ...process.env,
    ...localShellEnv(stack),
    SAFETY_MARGIN_MS: '900000', // = the timeout: stop after the first page of each invocation
    PROGRESS_INTERVAL_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  };
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The CLI as a user runs it (asynchronously: the sandbox answers from this process), holding the
 * lock of the test files that package the service, since sls invoke local builds in the same `.esbuild/`.
 */
function localInvoke(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return withServiceLock(() => spawnCli(args));
}

function spawnCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), ['scripts/local-invoke.ts', ...args], {
      cwd: repoRoot,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (status) => ok({ status, stdout, stderr }));
  });
}

describe('pnpm local:invoke', () => {
  it('saves a partial result and gives the one command that follows it to the end', async () => {
    // Act 1: one invocation
    const first = await localInvoke(
      'stripe',
      '--dir',
      dir,
      '--data',
      JSON.stringify({ runId, streams: ['charges'] }),
    );

    // Assess 1: partial, saved, the next command printed; human lines, no raw JSON
    expect(first.status, first.stderr + first.stdout).toBe(0);
    const file = join(dir, 'continuation-stripe.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({ runId, continuation: { runId, plan: ['charges'] } });
    expect(first.stdout).toContain(`pnpm local:invoke stripe --dir ${dir} --continue --follow`);
    expect(first.stdout).toMatch(/INFO {2}\[charges\] charges: 100 records, 1 pages in \d+\.\d s/);
    expect(first.stdout).toContain('DEBUG [charges] page landed'); // the shell's level won
    expect(first.stdout).toMatch(/charges +partial +100 +1 /);
    // the ingestion report: requests, retries, 429s, warnings, duration, watermark before and after
    expect(first.stdout).toContain('ingestion report (partial): 100 records landed in 1 stream');
    expect(first.stdout).toMatch(
      / requests +retries +rate-limited +warnings +duration +since \(watermark before\) +watermark after\n/,
    );
    expect(first.stdout).toMatch(/charges +partial +100 +1 +[\d,]+ +0 +1 +0 +0 +0 +\d+\.\d s +\S+ +\S+\n/);
    expect(first.stdout).not.toMatch(/^\{"/m);

    // Act 2: the printed command
    const rest = await localInvoke('stripe', '--dir', dir, '--continue', '--follow');

    // Assess 2: invoked until complete, the table of the whole run, the continuation gone
    expect(rest.status, rest.stderr + rest.stdout).toBe(0);
    const served = stack.sandbox.servedKeys('stripe', 'charges').size;
    expect(served).toBe(250);
    expect(rest.stdout).toMatch(/stripe invocation 2 /);
    expect(rest.stdout).toMatch(/charges +complete +250 +3 /);
    expect(rest.stdout).toContain('ingestion report (complete): 250 records landed in 1 stream');
    expect(rest.stdout).toMatch(/charges +complete +250 +3 +[\d,]+ +0 +3 +0 +0 +0 +\d+\.\d s +\S+ +\S+\n/);
    expect(rest.stdout).toMatch(/✓ stripe complete: 2 invocations in/);
    expect(existsSync(file)).toBe(false);
    const landed = await readLanded(stack.rawBucket, 'stripe', 'charges', runId);
    expect(landed.manifest).toMatchObject({ records: 250 });
    expect(new Set(landed.records.map((r) => r.id)).size).toBe(250);
  }, 300_000);

  it('refuses --continue with nothing saved, saying what to run first', async () => {
    const run = await localInvoke('stripe', '--dir', join(dir, 'empty'), '--continue');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no continuation saved for stripe');
    expect(run.stderr).toContain('run pnpm local:invoke stripe first');
  });
});
