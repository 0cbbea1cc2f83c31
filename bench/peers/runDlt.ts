/**
 * dlt as a peer (bench/README.md, "Peers"): `bench/setup.sh` makes `.tools/bench-venv` with the pinned
 * dlt when it is missing; `peers/dlt_rest.py` runs dlt's `rest_api` source into its `filesystem`
 * destination (local files, gzip JSONL) against the bench API, one fresh Python process per run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/childEntries.ts';

export const DLT_PYTHON = join(repoRoot, '.tools/bench-venv/bin/python');
const SCRIPT = join(repoRoot, 'bench/peers/dlt_rest.py');

/** Runs bench/setup.sh (idempotent); returns why dlt cannot run, or undefined when it can. */
export function ensureDlt(log: (line: string) => void): string | undefined {
  const r = spawnSync('bash', [join(repoRoot, 'bench/setup.sh')], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(DLT_PYTHON)) {
    const why = `bench/setup.sh failed (${r.status}): ${(r.stderr || r.stdout).trim().slice(-300)}`;
    log(`peers: dlt not measured: ${why}`);
    return why;
  }
  return undefined;
}

export interface DltCase {
  base: string;
  case: string;
  records: number;
  pageSize: number;
  shards: number;
}

export interface DltResult {
  ok: boolean;
  error?: string;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  peakRssBytes: number;
  dlt?: string;
  /** Where its `orders` table's files are, for the read-back. */
  tableDir: string;
}

export async function runDlt(c: DltCase, workDir: string, logFile: string): Promise<DltResult> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const out = join(workDir, 'out');
  const cfg = { ...c, out, pipelinesDir: join(workDir, 'pipelines') };
  const log = createWriteStream(logFile, { flags: 'a' });
  let stdout = '';
  const t0 = performance.now();
  const code = await new Promise<number | null>((ok) => {
    const child = spawn(DLT_PYTHON, [SCRIPT, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      log.write(d);
    });
    child.stderr.pipe(log);
    child.on('exit', ok);
  });
  log.end();
  const tableDir = join(out, 'bench', 'orders');
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return { ...(JSON.parse(line) as Omit<DltResult, 'tableDir'>), tableDir };
  } catch {
    return {
      ok: false,
      error: `dlt_rest.py exited ${code} without a result (see ${logFile})`,
      wallMs: performance.now() - t0,
      cpuUserMs: Number.NaN,
      cpuSystemMs: Number.NaN,
      peakRssBytes: Number.NaN,
      tableDir,
    };
  }
}
