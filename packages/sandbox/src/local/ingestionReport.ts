/**
 * The ingestion half of the run report, for `pnpm local:invoke`: per stream what the handler landed
 * over every invocation of the run. From the handler's result (records, pages, bytes, filteredOut,
 * warnings, watermark, status: docs/contracts.md "Handler result") and its own telemetry on stdout:
 * the `run started` / `run resumed` line (each stream's window: its `since` is the watermark the run
 * starts from),
 * the `retrying after …` lines (`rateLimited`: a 429 or a rate-limit pause) and the per-stream EMF
 * metric lines each invocation publishes (`retries`, `duration`). Requests are pages + retries: each
 * page is one answered request, each retry one more.
 */
import { fmt, seconds, table } from './PipelineProgress.ts';

/** The part of a handler result this reads. */
export interface IngestedResult {
  status: 'complete' | 'partial';
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

interface StreamTally {
  retries: number;
  rateLimited: number;
  durationMs: number;
  since?: string | null;
}

/** Gathers the handler's telemetry lines of one run, across its invocations. */
export class IngestionTally {
  readonly streams = new Map<string, StreamTally>();

  private of(stream: string): StreamTally {
    let t = this.streams.get(stream);
    if (!t) {
      t = { retries: 0, rateLimited: 0, durationMs: 0 };
      this.streams.set(stream, t);
    }
    return t;
  }

  /** One JSON line the handler printed (a log line or an EMF metrics line). */
  onLine(line: Record<string, unknown>): void {
    const stream = typeof line.stream === 'string' ? line.stream : undefined;
    const starts = line.message === 'run started' || line.message === 'run resumed';
    if (starts && line.windows && typeof line.windows === 'object') {
      for (const [name, w] of Object.entries(line.windows as Record<string, { since?: string } | null>)) {
        this.of(name).since ??= w?.since ?? null;
      }
      return;
    }
    if (!stream) return;
    if ('_aws' in line) {
      // one per stream and invocation: this invocation's counts
      const t = this.of(stream);
      t.retries += Number(line.retries ?? 0);
      t.durationMs += Number(line.duration ?? 0);
      return;
    }
    if (
      typeof line.message === 'string' &&
      line.message.startsWith('retrying') &&
      line.rateLimited === true
    ) {
      this.of(stream).rateLimited += 1;
    }
  }
}

/** The table, then each stream's warnings. */
export function ingestionReport(result: IngestedResult, tally = new IngestionTally()): string {
  const filtered = result.streams.some((s) => typeof s.filteredOut === 'number');
  const header = [
    'stream',
    'status',
    'records',
    'pages',
    'bytes',
    ...(filtered ? ['filtered out'] : []),
    'requests',
    'retries',
    'rate-limited',
    'warnings',
    'duration',
    'since (watermark before)',
    'watermark after',
  ];
  const rows = result.streams.map((s) => {
    const t = tally.streams.get(s.stream);
    return [
      s.stream,
      s.status,
      s.records,
      s.pages,
      s.bytes,
      ...(filtered ? [s.filteredOut ?? '-'] : []),
      t ? s.pages + t.retries : '-',
      t ? t.retries : '-',
      t ? t.rateLimited : '-',
      s.warnings?.length ?? 0,
      t?.durationMs ? seconds(t.durationMs) : '-',
      t?.since ?? '-',
      s.watermark ?? '-',
    ];
  });
  const warnings = result.streams.flatMap((s) => (s.warnings ?? []).map((w) => `  ! ${s.stream}: ${w}`));
  const total = result.streams.reduce((n, s) => n + s.records, 0);
  return [
    `ingestion report (${result.status}): ${fmt(total)} records landed in ${result.streams.length} stream${result.streams.length === 1 ? '' : 's'}`,
    table(header, rows),
    ...warnings,
  ].join('\n');
}
