/**
 * Live progress of a local pipeline run, per source and stream, from the handlers' own telemetry
 * (their "page landed", "retrying after …" and "stream complete" log lines) and their results:
 * pages, records, retries, invocations, durations. Prints short human lines, never raw JSON.
 */
import type { InvocationInfo } from './LocalLambdas.ts';
import type { LogLine } from './LogTap.ts';
import type { InvocationRecord } from './runLocalPipeline.ts';

export interface StreamProgress {
  source: string;
  stream: string;
  records: number;
  pages: number;
  retries: number;
  bytes: number;
  startedAt?: number;
  endedAt?: number;
}

export interface SourceProgress {
  source: string;
  status: 'waiting' | 'running' | 'complete' | 'failed';
  invocations: number;
  partials: number;
  startedAt?: number;
  endedAt?: number;
  error?: string;
}

export class PipelineProgress {
  readonly streams = new Map<string, StreamProgress>();
  readonly sources = new Map<string, SourceProgress>();
  private readonly printed = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly print: (line: string) => void) {}

  /** Prints a line per running source whose numbers moved, every `ms`. */
  startTicker(ms = 2000): void {
    this.timer = setInterval(() => this.tick(), ms);
    this.timer.unref();
  }

  stopTicker(): void {
    clearInterval(this.timer);
  }

  onInvoke(info: InvocationInfo): void {
    const s = this.source(info.source);
    s.status = 'running';
    s.invocations = info.invocation;
    s.startedAt ??= Date.now();
    if (info.invocation > 1) this.print(`  ${pad(info.source)} invocation ${info.invocation} (continuing)`);
  }

  onInvocation(record: InvocationRecord): void {
    const s = this.source(record.source);
    if (record.error) {
      s.status = 'failed';
      s.error = `${record.error.name}: ${record.error.message}`;
      s.endedAt = Date.now();
      this.print(`  ${pad(record.source)} ✗ ${truncate(s.error, 160)}`);
      return;
    }
    for (const r of record.result?.streams ?? []) {
      const p = this.stream(record.source, r.stream);
      p.records = r.records;
      p.pages = r.pages;
      p.bytes = r.bytes;
    }
    if (record.result?.status === 'partial') {
      s.partials++;
      this.print(
        `  ${pad(record.source)} partial after ${seconds(record.durationMs)}: deadline near, continuing`,
      );
      return;
    }
    s.status = 'complete';
    s.endedAt = Date.now();
    const totals = this.totals(record.source);
    this.print(
      `  ${pad(record.source)} ✓ ${fmt(totals.records)} records, ${fmt(totals.pages)} pages, ` +
        `${totals.retries} retries, ${s.invocations} invocation${s.invocations > 1 ? 's' : ''}`,
    );
  }

  onLog(line: LogLine): void {
    const source = typeof line.source === 'string' ? line.source : undefined;
    const stream = typeof line.stream === 'string' ? line.stream : undefined;
    if (!source || !stream) return;
    const p = this.stream(source, stream);
    p.startedAt ??= Date.now();
    if (line.message === 'page landed') {
      p.pages++;
      p.records += Number(line.records ?? 0);
    } else if (typeof line.message === 'string' && line.message.startsWith('retrying') && 'delayMs' in line) {
      p.retries++;
      this.print(
        `  ${pad(source)} ↻ ${stream}: ${String(line.reason ?? 'retry')}, waiting ${fmt(Number(line.delayMs ?? 0))} ms`,
      );
    } else if (line.message === 'stream complete') {
      p.endedAt = Date.now();
    }
  }

  tick(): void {
    for (const s of this.sources.values()) {
      if (s.status !== 'running') continue;
      const t = this.totals(s.source);
      const text = `${fmt(t.records)} records, ${fmt(t.pages)} pages`;
      if (this.printed.get(s.source) === text) continue;
      this.printed.set(s.source, text);
      const active = [...this.streams.values()]
        .filter((p) => p.source === s.source && p.startedAt && !p.endedAt)
        .map((p) => p.stream);
      this.print(`  ${pad(s.source)} … ${text}${active.length ? ` (${active.join(', ')})` : ''}`);
    }
  }

  totals(source: string): { records: number; pages: number; retries: number } {
    let records = 0;
    let pages = 0;
    let retries = 0;
    for (const p of this.streams.values()) {
      if (p.source !== source) continue;
      records += p.records;
      pages += p.pages;
      retries += p.retries;
    }
    return { records, pages, retries };
  }

  private source(name: string): SourceProgress {
    let s = this.sources.get(name);
    if (!s) {
      s = { source: name, status: 'waiting', invocations: 0, partials: 0 };
      this.sources.set(name, s);
    }
    return s;
  }

  private stream(source: string, stream: string): StreamProgress {
    const key = `${source}/${stream}`;
    let p = this.streams.get(key);
    if (!p) {
      p = { source, stream, records: 0, pages: 0, retries: 0, bytes: 0 };
      this.streams.set(key, p);
    }
    return p;
  }
}

const pad = (s: string) => s.padEnd(8);
export const fmt = (n: number) => n.toLocaleString('en-US');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A plain text table: right-aligned numbers, left-aligned text. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const numeric = header.map((_, i) =>
    rows.every((r) => typeof r[i] === 'number' || r[i] === '' || r[i] === '-'),
  );
  const line = (r: Array<string | number>) =>
    r.map((c, i) => (numeric[i] ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
