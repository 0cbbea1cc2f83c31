/**
 * The demo on a machine that lacks something: it says what is missing and how to get it, exits
 * non-zero, and starts nothing.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { repoRoot } from '@tributary/sandbox/local';
import { describe, expect, it } from 'vitest';

describe('e2e: the demo checks its prerequisites', () => {
  it('names each missing prerequisite with how to get it, and exits 1', () => {
    // Prepare: no java on PATH (only Node's folder), the Iceberg jar and moto pointed at nothing.
    const env = {
      PATH: dirname(process.execPath),
      HOME: process.env.HOME ?? '/tmp',
      ICEBERG_JAR: '/nonexistent/iceberg.jar',
      MOTO_SERVER: '/nonexistent/moto_server',
    };
    // Act
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/demo.ts'],
      {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    // Assess
    expect(run.status).toBe(1);
    const out = run.stdout;
    expect(out).toContain('Missing prerequisites');
    expect(out).toMatch(/java .*\n\s+→ install a Java 17 JDK/);
    expect(out).toMatch(
      /Iceberg Spark runtime jar \(\/nonexistent\/iceberg\.jar\)\n\s+→ run `bash scripts\/bootstrap\.sh`/,
    );
    expect(out).toMatch(
      /moto server.*\(\/nonexistent\/moto_server\)\n\s+→ run `bash scripts\/bootstrap\.sh`/,
    );
    expect(out).not.toContain('moto server (local AWS) on');
  }, 90_000);
});
