/** Renders one bench run as the markdown table printed and saved to bench/results/<timestamp>.md. */
import type { BundlesResult } from '../bundles/runBundles.ts';
import type { GlueResult } from '../glue/runGlue.ts';
import type { FloorResult } from '../ingest/runFloor.ts';
import type { SizeResult } from '../ingest/runIngest.ts';
import { MB } from '../lib/stats.ts';
import { type Ratio, ratios, type Target, targets } from './targets.ts';

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    /** 1, 5 and 15 min: the bench shares the machine with whatever else runs. */
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
  };
  commit: string;
  options: Record<string, unknown>;
  ingest?: SizeResult[];
  floor?: FloorResult;
  bundles?: BundlesResult;
  glue?: GlueResult;
  /** Parts that failed, with the error. */
  errors?: Partial<Record<'ingest' | 'floor' | 'bundles' | 'glue', string>>;
  ratios: Ratio[];
  targets: Target[];
}

export function summarizeRun(run: Omit<BenchRun, 'ratios' | 'targets'>): BenchRun {
  return {
    ...run,
    ratios: ratios(run.ingest ?? []),
    targets: targets(run.ingest ?? [], run.bundles, run.glue, run.floor),
  };
}

const n = (v: number, d = 2) =>
  Number.isFinite(v) ? v.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a';
/** Safe inside a table cell: one line, no pipes. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '/');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : 'n/a');

export function toMarkdown(run: BenchRun): string {
  const lines: string[] = [];
  lines.push(`# Tributary bench — ${run.startedAt}`, '');
  lines.push(
    `Commit \`${run.commit}\`, Node ${run.machine.node}, ${run.machine.cpus} × ${run.machine.cpuModel}, ` +
      `${run.machine.memoryGiB} GiB RAM; ${n(run.seconds / 60, 1)} min in all. Load average (1, 5, 15 min) ` +
      `${run.machine.loadAverageAtStart.join(', ')} at the start, ${run.machine.loadAverageAtEnd?.join(', ') ?? '?'} at the end ` +
      '(above the core count, other work competed for the CPU: trust CPU figures over wall times).',
    '',
  );
  for (const [part, error] of Object.entries(run.errors ?? {}))
    lines.push(`> **${part} failed:** ${cell(error ?? '')}`, '');
  for (const size of run.ingest ?? []) {
    lines.push(
      `## Ingestion: ${size.records.toLocaleString('en')} records`,
      '',
      `${size.pages} pages of ${size.pageSize}, ${n(size.responseBytes / MB, 1)} MB of JSON responses; ` +
        `median of ${size.repetitions} run(s) per contender, each in a fresh process, order rotating.`,
      '',
      '| contender | wall s | CPU s (user+sys) | records / CPU-s | CPU µs / record | MB/s | peak RSS MB | runs ok |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const [name, c] of Object.entries(size.contenders)) {
      if (!c) continue;
      const okRuns = c.runs.filter((r) => r.ok).length;
      const failure = c.runs.find((r) => !r.ok)?.error;
      lines.push(
        `| ${name} | ${n(c.wallMs / 1000)} | ${n(c.cpuMs / 1000)} | ${int(c.recordsPerCpuSecond)} | ${n(c.cpuMicrosPerRecord)} | ` +
          `${n(c.mbPerSecond, 1)} | ${int(c.peakRssBytes / MB)} | ${okRuns}/${c.runs.length}${failure ? ` — ${cell(failure)}` : ''} |`,
      );
    }
    lines.push('');
  }
  if (run.ratios.length) {
    lines.push('## Ratios', '', '| ratio | value |', '| --- | ---: |');
    for (const r of run.ratios) lines.push(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${n(r.value)} × |`);
    lines.push('');
  }
  if (run.floor) lines.push(...floorTable(run.floor));
  if (run.bundles) {
    const b = run.bundles;
    lines.push(
      `## Bundles (${b.origin}, ${b.cached ? 'package reused: same inputs' : `${n(b.packageSeconds, 1)} s to package`})`,
      '',
      ...(b.note ? [`> ${b.note}`, ''] : []),
      '| function | bundle KB | zip KB | unzipped KB | cold init ms (start → handler) | import ms | init CPU ms | spawn → ready ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const f of b.functions) {
      const ci = f.coldInit;
      lines.push(
        `| ${f.function} | ${n(f.bundleBytes / 1024, 0)} | ${f.zipBytes === null ? '—' : n(f.zipBytes / 1024, 0)} | ${n(f.unzippedBytes / 1024, 0)} | ` +
          (ci.ok
            ? `${n(ci.readyMs, 0)} | ${n(ci.importMs, 0)} | ${n(ci.cpuMs, 0)} | ${n(ci.spawnToReadyMs, 0)} |`
            : `failed: ${cell(ci.error ?? '')} | | | |`),
      );
    }
    lines.push('', `Cold init: median of ${b.coldRuns} fresh processes per function.`, '');
  }
  if (run.glue) {
    const g = run.glue;
    lines.push('## Glue curation (local Spark)', '');
    lines.push(
      g.ok
        ? `${g.records.toLocaleString('en')} records: ${n(g.wallSeconds, 1)} s wall, ${int(g.rowsPerSecond)} rows/s ` +
            `(script ${n(g.processSeconds, 1)} s in all, Spark start-up and data generation included).`
        : `Not measured: ${g.error}`,
      '',
    );
  }
  lines.push('## Targets', '', '| target | limit | measured | status |', '| --- | --- | --- | --- |');
  for (const t of run.targets) lines.push(`| ${t.name} | ${t.limit} | ${t.measured} | **${t.status}** |`);
  lines.push('');
  return lines.join('\n');
}

function floorTable(f: FloorResult): string[] {
  const a = f.plan.api;
  const lines = [
    `## The real-API floor: ${f.plan.records.toLocaleString('en')} records, ${a.pageSize} a page`,
    '',
    `The bench API answers each page after ${a.latencyMs} ± ${a.jitterMs} ms (seed ${a.seed}) and admits ${a.limit} ` +
      `requests in any ${a.windowMs} ms window (429 + Retry-After beyond). Floor = requests ÷ limit; ` +
      'one-at-a-time = requests × mean latency (the bound for a client that fetches one page at a time). ' +
      'Landed = read back from the output and counted (records / distinct keys). One run per case, fresh process.',
    '',
    '| case | contender | requests | floor s | one-at-a-time s | wall s | wall / floor | 429s | most in 1 s | most in flight | landed (records / keys) | CPU s | peak RSS MB | ok |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |',
  ];
  for (const c of f.cases)
    for (const r of c.runs)
      lines.push(
        `| ${c.case}${c.shards > 1 ? ` (${c.shards})` : ''} | ${r.contender} | ${c.requests} | ${n(c.floorSeconds)} | ${n(c.oneAtATimeSeconds)} | ` +
          `${n(r.wallMs / 1000)} | ${n(r.wallMs / 1000 / c.floorSeconds)} × | ${r.server.rejected429} | ${r.server.maxInWindow} | ` +
          `${r.server.maxConcurrent} | ${r.landed.records} / ${r.landed.distinctKeys} | ${n(r.cpuMs / 1000)} | ` +
          `${int(r.peakRssBytes / MB)} | ${r.ok ? 'yes' : `**failed** — ${cell(r.error ?? '')}`} |`,
      );
  lines.push('');
  return lines;
}
