/**
 * Forks one bench child (a bundled .mjs) with a clean Node (no TypeScript loader inherited), its
 * output to a log file, and returns the one message it sends back.
 */
import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ChildOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  logFile: string;
}

export interface ChildOutcome<T> {
  message: T | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From fork to the first message (or exit), ms: process start-up included. */
  spawnToMessageMs: number;
}

export async function runChild<T>(script: string, options: ChildOptions): Promise<ChildOutcome<T>> {
  const log = openSync(options.logFile, 'a');
  const t0 = performance.now();
  const child = fork(script, options.args ?? [], {
    execArgv: options.nodeArgs ?? [],
    env: options.env ?? process.env,
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  let message: T | undefined;
  let spawnToMessageMs = Number.NaN;
  child.once('message', (m) => {
    spawnToMessageMs = performance.now() - t0;
    message = m as T;
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((ok) =>
    child.once('exit', (c, s) => ok([c, s])),
  );
  if (Number.isNaN(spawnToMessageMs)) spawnToMessageMs = performance.now() - t0;
  return { message, code, signal, spawnToMessageMs };
}
