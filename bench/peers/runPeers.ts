/**
 * The peers on the instant scenario: dlt and Airbyte against the same loopback API the ingestion
 * bench serves (cursor pagination, pages of --page-size), at one size, their landed files read back
 * and counted. On the floor scenario they are runFloor's contenders.
 */
import { join } from 'node:path';
import { startApi } from '../api/startApi.ts';
import type { Landed } from '../ingest/readBack.ts';
import { judgeLanded, safeReadBackFiles } from '../ingest/runFloor.ts';
import type { EntryName } from '../lib/childEntries.ts';
import { type Peer, runPeer } from './runPeer.ts';

export interface PeerRun {
  contender: Peer;
  records: number;
  pageSize: number;
  ok: boolean;
  error?: string;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  landed: Landed;
  version?: string;
}

export async function runPeers(
  plan: { records: number; pageSize: number; peers: readonly Peer[] },
  ctx: { scripts: Record<EntryName, string>; outDir: string; log: (line: string) => void },
): Promise<PeerRun[]> {
  const api = await startApi(ctx.scripts.api, plan.records, plan.pageSize);
  const runs: PeerRun[] = [];
  try {
    for (const peer of plan.peers) {
      const r = await runPeer(
        peer,
        { base: api.base, case: 'one-stream', records: plan.records, pageSize: plan.pageSize, shards: 1 },
        join(ctx.outDir, `${peer}-instant-${plan.records}`),
        join(ctx.outDir, `${peer}-instant-${plan.records}.log`),
      );
      const version = r.dlt ?? r.airbyteCdk;
      const run: PeerRun = {
        contender: peer,
        records: plan.records,
        pageSize: plan.pageSize,
        ok: r.ok,
        ...(r.error ? { error: r.error } : {}),
        wallMs: r.wallMs,
        cpuMs: r.cpuUserMs + r.cpuSystemMs,
        peakRssBytes: r.peakRssBytes,
        landed: safeReadBackFiles(r.tableDir),
        ...(version ? { version } : {}),
      };
      judgeLanded(run, plan.records);
      ctx.log(
        `  peers ${peer} ${plan.records} instant: ` +
          (run.ok
            ? `wall ${(run.wallMs / 1000).toFixed(2)} s, cpu ${(run.cpuMs / 1000).toFixed(2)} s, landed ${run.landed.records}`
            : `FAILED: ${run.error}`),
      );
      runs.push(run);
    }
    return runs;
  } finally {
    await api.stop();
  }
}
