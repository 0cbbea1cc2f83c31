/**
 * The curate job's run report (`_runs/<runId>.json`, docs/schemas/run-report.schema.json) read back
 * and printed for a human, as the demo shows it after each round: a line for the run, a table per
 * stream (landed, inserted, updated, unchanged, deduplicated, rejected, rows in table, checks), then
 * a line per drift, failed check and error.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fmt, table } from './PipelineProgress.ts';

/** The part of a run report this reads (the schema has it all). */
export interface RunReport {
  runId: string;
  status: 'succeeded' | 'failed';
  error: { name: string; message: string; source: string; stream: string } | null;
  durationSeconds: number;
  totals: {
    streams: number;
    streamsFailed: number;
    recordsLanded: number;
    rowsInserted: number;
    rowsUpdated: number;
    columnsChanged: number;
    checksFailed: number;
  };
  sources: Array<{ source: string; streams: RunReportStream[] }>;
}

export interface RunReportCheck {
  rule: string;
  level: 'error' | 'warn';
  status: 'passed' | 'failed';
  observed: number | string | null;
  message: string;
}

export interface RunReportStream {
  stream: string;
  status: 'curated' | 'skipped' | 'failed';
  schemaContract: string;
  recordsLanded: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsDeduplicated: number;
  rowsRejected: number;
  rowsTotal: number | null;
  columnsAdded: string[];
  columnsWidened: string[];
  columnsDiverted: string[];
  columnsRescued: string[];
  checks: { passed: RunReportCheck[]; failed: RunReportCheck[] };
  error: { name: string; message: string } | null;
}

const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** A stream's column changes in words; the columns a `freeze` stream refused are said so. */
function drift(s: RunReportStream): string[] {
  const words: string[] = [];
  if (s.columnsAdded.length) words.push(`new columns ${s.columnsAdded.join(', ')}`);
  for (const c of s.columnsWidened) words.push(`widened ${c}`);
  for (const c of s.columnsDiverted) words.push(`diverted ${c}`);
  if (s.columnsRescued.length) words.push(`rescued in _rescued: ${s.columnsRescued.join(', ')}`);
  return words;
}

export function formatRunReport(report: RunReport, uri?: string): string {
  const t = report.totals;
  const head =
    `run report${uri ? ` ${uri}` : ` ${report.runId}`}: ${report.status} in ${report.durationSeconds.toFixed(1)} s, ` +
    `${plural(t.streams, 'stream')}${t.streamsFailed ? ` (${fmt(t.streamsFailed)} failed)` : ''}, ` +
    `${fmt(t.recordsLanded)} records landed, ${fmt(t.rowsInserted)} inserted, ${fmt(t.rowsUpdated)} updated, ` +
    `${plural(t.columnsChanged, 'column')} changed, ${plural(t.checksFailed, 'check')} failed`;
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  for (const { source, streams } of report.sources) {
    for (const s of streams) {
      const name = `${source}.${s.stream}`;
      const checks = s.checks.passed.length + s.checks.failed.length;
      rows.push([
        source,
        s.stream,
        s.status,
        s.recordsLanded,
        s.rowsInserted,
        s.rowsUpdated,
        s.rowsUnchanged,
        s.rowsDeduplicated,
        s.rowsRejected,
        s.rowsTotal ?? '-',
        checks ? `${s.checks.passed.length}/${checks} passed` : '-',
      ]);
      const changes = drift(s);
      if (changes.length) {
        const refused = s.schemaContract === 'freeze' && s.error?.name === 'SchemaContractError';
        notes.push(
          `${refused ? '✗ drift under freeze, not curated' : '~ drift'}  ${name}: ${changes.join('; ')}`,
        );
      }
      for (const c of s.checks.failed) {
        notes.push(
          `${c.level === 'error' ? '✗' : '!'} check ${c.level}  ${name}: ${c.rule} (observed ${String(c.observed)}): ${c.message}`,
        );
      }
      if (s.error) notes.push(`✗ ${s.error.name}  ${name}: ${s.error.message}`);
    }
  }
  const header = ['source', 'stream', 'status', 'landed', 'inserted', 'updated', 'unchanged', 'deduplicated'];
  const body = table([...header, 'rejected', 'rows in table', 'checks'], rows)
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
  return [head, body, ...notes].join('\n');
}

/** Reads `_runs/<runId>.json` from the curated bucket (the emulator's, locally); undefined when there is none. */
export async function readRunReport(
  bucket: string,
  runId: string,
  given?: S3Client,
): Promise<{ uri: string; report: RunReport } | undefined> {
  const key = `_runs/${runId}.json`;
  const s3 = given ?? new S3Client({ forcePathStyle: true });
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return {
      uri: `s3://${bucket}/${key}`,
      report: JSON.parse(await got.Body!.transformToString()) as RunReport,
    };
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  } finally {
    if (!given) s3.destroy();
  }
}
