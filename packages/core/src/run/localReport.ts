/**
 * The ingestion report of one invocation, for a human running `sls invoke local` (which sets
 * `IS_LOCAL=true`; Lambda never does): written to stderr when the handler returns, per stream
 * status, records, pages, bytes, filtered out, requests (pages + retries: each page one answered
 * request, each retry one more), retries, warnings, duration, the window's `since` (the watermark the
 * run started from) and the watermark after, then each warning. The result and the JSON logs on
 * stdout are unchanged. `TRIBUTARY_INGESTION_REPORT=off` silences it (`pnpm local:invoke` prints
 * its own, over every invocation it ran).
 */
import type { HandlerResult } from './types.ts';

/** What the invocation measured of a stream (its StreamTelemetry). */
export interface InvocationStats {
  retries: number;
  durationMs: number;
}

/** @default reads `IS_LOCAL` and `TRIBUTARY_INGESTION_REPORT` of `process.env` */
export function printsLocalReport(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.IS_LOCAL === 'true' && env.TRIBUTARY_INGESTION_REPORT !== 'off';
}

const n = (x: number) => x.toLocaleString('en-US');

export function localReport(
  result: HandlerResult,
  stats: ReadonlyMap<string, InvocationStats>,
  since: Readonly<Record<string, string | null>>,
): string {
  const header = [
    'stream',
    'status',
    'records',
    'pages',
    'bytes',
    'filtered out',
    'requests',
    'retries',
    'warnings',
    'duration',
    'since (watermark before)',
    'watermark after',
  ];
  const rows = result.streams.map((s) => {
    const t = stats.get(s.stream);
    return [
      s.stream,
      s.status,
      n(s.records),
      n(s.pages),
      n(s.bytes),
      n(s.filteredOut),
      t ? n(s.pages + t.retries) : '-',
      t ? n(t.retries) : '-',
      n(s.warnings.length),
      t ? `${(t.durationMs / 1000).toFixed(1)} s` : '-',
      since[s.stream] ?? '-',
      s.watermark ?? '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const text = (i: number) => i < 2 || i >= 10; // left-aligned columns; numbers to the right
  const line = (r: string[]) =>
    r
      .map((c, i) => (text(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const total = result.streams.reduce((x, s) => x + s.records, 0);
  return [
    `ingestion report of ${result.source} (run ${result.runId}, ${result.status}): ${n(total)} records landed so far`,
    line(header),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
    ...result.streams.flatMap((s) => s.warnings.map((w) => `! ${s.stream}: ${w}`)),
  ].join('\n');
}
