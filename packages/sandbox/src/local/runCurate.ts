/**
 * The Glue job's local run: the real `glue-scripts/curate.py` on local Spark, in its own process
 * group (so stopping it stops its JVM too), with the job's arguments as Glue would pass them plus
 * the local overrides (Hadoop catalog in a local warehouse folder). Its last stdout line is the
 * JSON summary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { paths, repoRoot } from './paths.ts';

export type CurateSummary = Record<string, unknown>;

export class CurateFailedError extends Error {
  override readonly name = 'CurateFailedError';
  constructor(
    message: string,
    readonly summary: CurateSummary | undefined,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

const running = new Set<ChildProcess>();

/** Stops every curate.py process still running (process groups), e.g. on Ctrl-C. */
export function stopCurateProcesses(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of running) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    }
  }
}

export interface RunCurateOptions {
  /** `--key value` pairs, the state machine's and the local ones merged. */
  args: Record<string, string>;
  /** Environment of the job (AWS endpoint and credentials for reading s3:// manifests). */
  env?: Record<string, string>;
  /** Each stderr line (the job's log). */
  onLog?(line: string): void;
}

export async function runCurate(options: RunCurateOptions): Promise<CurateSummary> {
  const argv = [paths.curateScript, ...Object.entries(options.args).flat()];
  const child = spawn(paths.python, argv, {
    cwd: repoRoot,
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout = (stdout + d.toString()).slice(-200_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    const text = partial + d.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLog?.(line);
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const code = await new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', (c, signal) => ok(signal ? null : c));
  }).finally(() => running.delete(child));
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let summary: CurateSummary | undefined;
  try {
    summary = JSON.parse(last) as CurateSummary;
  } catch {
    summary = undefined;
  }
  if (code !== 0) {
    const why = summary?.message ?? stderr.trim().split('\n').slice(-3).join(' | ');
    throw new CurateFailedError(
      `curate.py ${code === null ? 'was stopped' : `exited ${code}`}: ${String(why)}`,
      summary,
      stderr,
    );
  }
  if (!summary) throw new CurateFailedError('curate.py printed no JSON summary', undefined, stderr);
  return summary;
}
