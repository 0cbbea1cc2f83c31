/**
 * `pnpm local:invoke`: one source's `sls invoke local`, read for a human. The handler's JSON log
 * lines become short lines (`INFO  [issues] issues: 1,200 records, 12 pages in 5.0 s (…)`; EMF
 * metric lines not shown but counted), the result ends as the ingestion report (ingestionReport.ts:
 * per stream records, pages, requests, retries, rate-limited, warnings, duration, watermark before
 * and after), and a `partial` result is
 * saved as the next event (`<dir>/continuation-<source>.json`) with the one command that goes on —
 * or, with `follow`, invoked again until the run completes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { IngestionTally, ingestionReport } from './ingestionReport.ts';
import { fmt, seconds, table } from './PipelineProgress.ts';
import { repoRoot } from './paths.ts';

/** The part of a handler result this reads (docs/contracts.md, "Handler result"). */
export interface InvokeResult {
  runId: string;
  source: string;
  status: 'complete' | 'partial';
  continuation: unknown;
  streams: Array<{
    stream: string;
    status: string;
    records: number;
    pages: number;
    bytes: number;
    filteredOut?: number;
    warnings?: string[];
    watermark?: string | null;
  }>;
}

export class LocalInvokeError extends Error {
  override readonly name = 'LocalInvokeError';
}

export interface LocalInvokeOptions {
  source: string;
  /** The first event; ignored with `resume`. */
  event?: Record<string, unknown>;
  /** Start from the saved continuation of an earlier `partial`. */
  resume?: boolean;
  /** Invoke again on `partial` until complete. */
  follow?: boolean;
  /** Print the invocation's output as it comes, unformatted. */
  raw?: boolean;
  /** Where continuations are saved. @default <repo>/.local */
  dir?: string;
  /** @default 'dev' */
  stage?: string;
  print?: (line: string) => void;
}

/** The function key serverless.yml knows the source by: the first key under `functions:` of its function.yml. */
export function functionKey(source: string, root = repoRoot): string {
  const file = join(root, 'functions', source, 'function.yml');
  if (!existsSync(file)) {
    throw new LocalInvokeError(
      `no source "${source}": functions/${source}/function.yml does not exist (pnpm new-source ${source} makes one)`,
    );
  }
  const key = /^functions:\s*\n\s+([A-Za-z0-9]+):/m.exec(readFileSync(file, 'utf8'))?.[1];
  if (!key)
    throw new LocalInvokeError(`functions/${source}/function.yml names no function under "functions:"`);
  return key;
}

export const continuationFile = (dir: string, source: string) => join(dir, `continuation-${source}.json`);

/** A handler log line as a short human line; `undefined` for lines not worth showing (EMF metrics). */
export function renderLogLine(line: Record<string, unknown>): string | undefined {
  if ('_aws' in line) return undefined;
  if (typeof line.level !== 'string' || typeof line.message !== 'string') return JSON.stringify(line);
  const stream = typeof line.stream === 'string' ? `[${line.stream}] ` : '';
  const error =
    typeof line.errorName === 'string' ? ` (${line.errorName}: ${String(line.errorMessage ?? '')})` : '';
  return `  ${line.level.padEnd(5)} ${stream}${line.message}${error}`;
}

/** The result `sls invoke local` prints last, pretty-printed, after the handler's one-line JSON logs. */
export function parseInvokeOutput(lines: readonly string[]): InvokeResult {
  const start = lines.lastIndexOf('{');
  if (start < 0) throw new LocalInvokeError('sls invoke local printed no result (see its output above)');
  try {
    return JSON.parse(lines.slice(start).join('\n')) as InvokeResult;
  } catch (error) {
    throw new LocalInvokeError(
      `cannot read the result sls invoke local printed: ${(error as Error).message}`,
    );
  }
}

/** The demo's table for one source's result: per stream records, pages, bytes, status. */
export function summaryTable(result: InvokeResult): string {
  const filtered = result.streams.some((s) => typeof s.filteredOut === 'number');
  const header = ['stream', 'status', 'records', 'pages', 'bytes', ...(filtered ? ['filtered out'] : [])];
  const rows = result.streams.map((s) => [
    s.stream,
    s.status,
    s.records,
    s.pages,
    s.bytes,
    ...(filtered ? [s.filteredOut ?? '-'] : []),
  ]);
  return table(header, rows);
}

/** Runs the source's `sls invoke local` until complete (`follow`) or once; returns the last result. */
export async function localInvoke(options: LocalInvokeOptions): Promise<InvokeResult> {
  const print = options.print ?? ((l: string) => console.log(l));
  const dir = options.dir ?? join(repoRoot, '.local');
  const file = continuationFile(dir, options.source);
  const key = functionKey(options.source);
  let event: Record<string, unknown>;
  if (options.resume) {
    if (!existsSync(file)) {
      throw new LocalInvokeError(
        `no continuation saved for ${options.source} (${file}): run pnpm local:invoke ${options.source} first; it saves one when the result is partial`,
      );
    }
    event = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } else {
    event = options.event ?? {
      runId: `${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}Z-local`,
    };
  }

  const started = performance.now();
  const tally = new IngestionTally();
  for (let invocation = 1; ; invocation++) {
    const t = performance.now();
    print(`▶ ${options.source} invocation ${invocation} (runId ${String(event.runId)})`);
    const result = await invokeOnce(key, event, options.stage ?? 'dev', options.raw ?? false, print, tally);
    if (result.status === 'complete') {
      await rm(file, { force: true });
      print(`\n${ingestionReport(result, tally)}`);
      print(
        `\n✓ ${options.source} complete: ${invocation} invocation${invocation > 1 ? 's' : ''} in ${seconds(performance.now() - started)}`,
      );
      return result;
    }
    const next = { runId: result.runId, continuation: result.continuation };
    await mkdir(dir, { recursive: true });
    await writeFile(file, `${JSON.stringify(next, null, 2)}\n`);
    const landed = result.streams.reduce((n, s) => n + s.records, 0);
    print(`  partial after ${seconds(performance.now() - t)}: ${fmt(landed)} records so far`);
    if (!options.follow) {
      print(`\n${ingestionReport(result, tally)}`);
      const go = `pnpm local:invoke ${options.source}${options.dir ? ` --dir ${options.dir}` : ''} --continue`;
      print(`\npartial: the continuation is saved in ${file}. Go on with:`);
      print(`  ${go}            (one more invocation)`);
      print(`  ${go} --follow   (until the run completes)`);
      return result;
    }
    event = next;
  }
}

async function invokeOnce(
  key: string,
  event: Record<string, unknown>,
  stage: string,
  raw: boolean,
  print: (line: string) => void,
  tally: IngestionTally,
): Promise<InvokeResult> {
  const sls = join(repoRoot, 'node_modules/.bin/sls');
  const child = spawn(
    sls,
    ['invoke', 'local', '-f', key, '--stage', stage, '--data', JSON.stringify(event)],
    {
      cwd: repoRoot,
      // the handler's own report covers one invocation; this command prints the run's
      env: { ...process.env, TRIBUTARY_INGESTION_REPORT: 'off' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const rest: string[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (raw) print(line);
    if (!line.startsWith('{"')) {
      rest.push(line);
      return;
    }
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      tally.onLine(parsed);
      if (raw) return;
      const shown = renderLogLine(parsed);
      if (shown !== undefined) print(shown);
    } catch {
      rest.push(line);
    }
  });
  const [code] = (await Promise.all([
    new Promise<number | null>((ok, fail) => {
      child.on('error', fail);
      child.on('close', ok);
    }),
    new Promise((ok) => lines.on('close', ok)),
  ])) as [number | null, unknown];
  const start = rest.lastIndexOf('{');
  if (!raw) for (const line of start < 0 ? rest : rest.slice(0, start)) print(line);
  if (code !== 0) {
    if (!raw && start >= 0) for (const line of rest.slice(start)) print(line);
    throw new LocalInvokeError(`sls invoke local -f ${key} exited ${code}`);
  }
  return parseInvokeOutput(rest);
}
