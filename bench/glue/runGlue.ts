/**
 * Glue: bench/glue_bench.py (written with the Glue job) curates 1M raw records on local Spark and
 * prints one JSON line `{records, wall_seconds, rows_per_second}`; the bench runs it once.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface GlueResult {
  ok: boolean;
  error?: string;
  records: number;
  wallSeconds: number;
  rowsPerSecond: number;
  /** Wall time of the whole script as the bench saw it (Spark start-up and data generation included). */
  processSeconds: number;
}

export async function runGlue(options: {
  repoRoot: string;
  outDir: string;
  timeoutSeconds: number;
}): Promise<GlueResult> {
  const script = join(options.repoRoot, 'bench/glue_bench.py');
  const python = join(options.repoRoot, '.venv/bin/python');
  const failed = (error: string, processSeconds = 0): GlueResult => ({
    ok: false,
    error,
    records: 0,
    wallSeconds: Number.NaN,
    rowsPerSecond: Number.NaN,
    processSeconds,
  });
  if (!existsSync(script)) return failed('bench/glue_bench.py is not there yet');
  if (!existsSync(python)) return failed('.venv/bin/python missing: run scripts/bootstrap.sh');
  const t0 = performance.now();
  const log = createWriteStream(join(options.outDir, 'glue.log'));
  let stdout = '';
  const code = await new Promise<number | null>((ok) => {
    const child = spawn(python, [script], { cwd: options.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutSeconds * 1000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      log.write(d);
    });
    child.stderr.pipe(log);
    child.on('exit', (c) => {
      clearTimeout(timer);
      ok(c);
    });
  });
  log.end();
  const processSeconds = (performance.now() - t0) / 1000;
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (code !== 0 || !line) {
    return failed(
      `glue_bench.py exited ${code ?? 'on timeout'} (see ${join(options.outDir, 'glue.log')})`,
      processSeconds,
    );
  }
  try {
    const parsed = JSON.parse(line) as { records: number; wall_seconds: number; rows_per_second: number };
    return {
      ok: true,
      records: parsed.records,
      wallSeconds: parsed.wall_seconds,
      rowsPerSecond: parsed.rows_per_second,
      processSeconds,
    };
  } catch {
    return failed(`glue_bench.py printed no JSON result: ${line.slice(0, 200)}`, processSeconds);
  }
}
