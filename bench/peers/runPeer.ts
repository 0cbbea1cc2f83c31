/**
 * The Python peers (bench/README.md, "Peers"): `bench/setup.sh` makes their venvs with the pinned
 * versions when missing. dlt: `peers/dlt_rest.py`, its `rest_api` source into its `filesystem`
 * destination (local files, gzip JSONL). Airbyte: `peers/airbyte_rest.py`, the declarative CDK from a
 * manifest, its records written to a gzip JSONL file. One fresh Python process per run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/childEntries.ts';

export const PEERS = ['dlt', 'airbyte'] as const;
export type Peer = (typeof PEERS)[number];

const PEER = {
  dlt: {
    python: join(repoRoot, '.tools/bench-venv/bin/python'),
    script: join(repoRoot, 'bench/peers/dlt_rest.py'),
    /** Where the landed `orders` records are, under the run's `out`. */
    table: ['bench', 'orders'],
  },
  airbyte: {
    python: join(repoRoot, '.tools/bench-airbyte-venv/bin/python'),
    script: join(repoRoot, 'bench/peers/airbyte_rest.py'),
    table: [],
  },
} as const satisfies Record<Peer, { python: string; script: string; table: readonly string[] }>;

/** Runs bench/setup.sh for each peer (idempotent); returns why a peer cannot run, per peer. */
export function ensurePeers(log: (line: string) => void): Partial<Record<Peer, string>> {
  const missing: Partial<Record<Peer, string>> = {};
  for (const peer of PEERS) {
    const r = spawnSync('bash', [join(repoRoot, 'bench/setup.sh'), peer], { encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(PEER[peer].python)) {
      missing[peer] =
        `bench/setup.sh ${peer} failed (${r.status}): ${(r.stderr || r.stdout).trim().slice(-300)}`;
      log(`peers: ${peer} not measured: ${missing[peer]}`);
    }
  }
  return missing;
}

export interface PeerCase {
  base: string;
  case: string;
  records: number;
  pageSize: number;
  shards: number;
}

export interface PeerResult {
  ok: boolean;
  error?: string;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  peakRssBytes: number;
  dlt?: string;
  airbyteCdk?: string;
  /** Where its `orders` records' files are, for the read-back. */
  tableDir: string;
}

export async function runPeer(
  peer: Peer,
  c: PeerCase,
  workDir: string,
  logFile: string,
): Promise<PeerResult> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const out = join(workDir, 'out');
  const cfg = { ...c, out, pipelinesDir: join(workDir, 'pipelines') };
  const log = createWriteStream(logFile, { flags: 'a' });
  let stdout = '';
  const t0 = performance.now();
  const code = await new Promise<number | null>((ok) => {
    const child = spawn(PEER[peer].python, [PEER[peer].script, JSON.stringify(cfg)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      log.write(d);
    });
    child.stderr.pipe(log);
    child.on('exit', ok);
  });
  log.end();
  const tableDir = join(out, ...PEER[peer].table);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return { ...(JSON.parse(line) as Omit<PeerResult, 'tableDir'>), tableDir };
  } catch {
    return {
      ok: false,
      error: `${PEER[peer].script} exited ${code} without a result (see ${logFile})`,
      wallMs: performance.now() - t0,
      cpuUserMs: Number.NaN,
      cpuSystemMs: Number.NaN,
      peakRssBytes: Number.NaN,
      tableDir,
    };
  }
}
