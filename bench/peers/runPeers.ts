/**
 * The peers on the instant scenario: dlt against the same loopback API the ingestion bench serves
 * (cursor pagination, pages of --page-size), at one size, its landed files read back and counted.
 * On the floor scenario dlt is one of runFloor's contenders.
 */
import { join } from 'node:path';
import { startApi } from '../api/startApi.ts';
import type { Landed } from '../ingest/readBack.ts';
import { judgeLanded, safeReadBackFiles } from '../ingest/runFloor.ts';
import type { EntryName } from '../lib/childEntries.ts';
import { runDlt } from './runDlt.ts';

export interface PeerRun {
  contender: 'dlt';
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
  plan: { records: number; pageSize: number },
  ctx: { scripts: Record<EntryName, string>; outDir: string; log: (line: string) => void },
): Promise<PeerRun[]> {
  const api = await startApi(ctx.scripts.api, plan.records, plan.pageSize);
  try {
    const work = join(ctx.outDir, `dlt-instant-${plan.records}`);
    const r = await runDlt(
      { base: api.base, case: 'one-stream', records: plan.records, pageSize: plan.pageSize, shards: 1 },
      work,
      join(ctx.outDir, `dlt-instant-${plan.records}.log`),
    );
    const run: PeerRun = {
      contender: 'dlt',
      records: plan.records,
      pageSize: plan.pageSize,
      ok: r.ok,
      ...(r.error ? { error: r.error } : {}),
      wallMs: r.wallMs,
      cpuMs: r.cpuUserMs + r.cpuSystemMs,
      peakRssBytes: r.peakRssBytes,
      landed: safeReadBackFiles(r.tableDir),
      ...(r.dlt ? { version: r.dlt } : {}),
    };
    judgeLanded(run, plan.records);
    ctx.log(
      `  peers dlt ${plan.records} instant: ` +
        (run.ok
          ? `wall ${(run.wallMs / 1000).toFixed(2)} s, cpu ${(run.cpuMs / 1000).toFixed(2)} s, landed ${run.landed.records}`
          : `FAILED: ${run.error}`),
    );
    return [run];
  } finally {
    await api.stop();
  }
}
