/**
 * The demo's path, asserted: every source landed and curated, curated rows = the unique records
 * the sandbox served; then the APIs change and a second run picks up exactly the changes (updated
 * records updated in place, new ones added), with no duplicate rows.
 */
import { PipelineProgress, readCurated } from '@tributary/sandbox/local';
import { readRecords } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedTables, type E2E, finalResults, keyColumns, startE2E } from './support/harness.ts';

const SOURCES = ['github', 'stripe', 'hotmart', 'socrata', 'hubspot'] as const;

describe('e2e: the packaged pipeline, real handlers and curate.py, on the sandbox', () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E({ seed: 7, records: 80 });
  }, 900_000);
  afterAll(() => e2e?.stop());

  it('lands every source and curates exactly the unique records served', async () => {
    // Act
    const logs: string[] = [];
    const progress = new PipelineProgress(() => {});
    const run = await e2e.run('e2e-pipeline-run-1', {
      onLog: (line) => {
        logs.push(JSON.stringify(line));
        progress.onLog(line);
      },
    });
    // Assess
    expect(run.execution.error ?? run.execution.status).toBe('SUCCEEDED');
    const { sandbox } = e2e.stack;
    const served = sandbox.served();
    const tables = curatedTables(run);
    const results = finalResults(run);
    for (const source of SOURCES) {
      const result = results.get(source);
      expect(result?.status, source).toBe('complete');
      for (const stream of sandbox.streams(source)) {
        const unique = served[source]?.streams[stream]?.unique;
        // A first run reads everything: what was served is the whole data set…
        expect(unique, `${source}/${stream} served`).toBe(sandbox.records(source, stream).length);
        // …landed once per record…
        expect(result?.streams.find((s) => s.stream === stream)?.records, `${source}/${stream} landed`).toBe(
          unique,
        );
        // …and curated once per key.
        expect(tables.get(`${source}/${stream}`)?.rowsTotal, `${source}/${stream} curated`).toBe(unique);
      }
    }
    // The run report's compact form, read by the state machine from the curated bucket, is its output.
    const runId = (run.execution.output as { runId: string }).runId;
    expect((run.execution.output as { report: unknown }).report).toMatchObject({
      uri: `s3://${e2e.stack.curatedBucket}/_runs/${runId}.json`,
      runId,
      status: 'succeeded',
      error: null,
      totals: { streamsFailed: 0, checksFailed: 0, recordsLanded: expect.any(Number) },
      driftUnderFreeze: '',
      failedChecks: '',
    });
    // Faults were injected and retried, not failed: each one retried once, as the handlers' logs tell.
    const faults = SOURCES.reduce((n, s) => n + (served[s]?.faults ?? 0), 0);
    expect(faults).toBeGreaterThan(0);
    expect(SOURCES.reduce((n, s) => n + progress.totals(s).retries, 0)).toBe(faults);
    // No credential (nor a Hotmart access token) in the handlers' logs or in the raw zone.
    expect(logs.length).toBeGreaterThan(100);
    const secrets = Object.values(sandbox.credentials).flatMap((c) => Object.values(c) as string[]);
    const raw = (await readRecords(e2e.stack.rawBucket, '')).map((r) => JSON.stringify(r)).join('\n');
    for (const text of [logs.join('\n'), raw]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/hm_\d{6}_/);
    }
  }, 900_000);

  it('after the APIs change, a second run picks up updated and new records and duplicates nothing', async () => {
    // Prepare
    const { sandbox } = e2e.stack;
    const before = sandbox.served();
    sandbox.advance();
    const edited = sandbox.records('github', 'issues').filter((i) => String(i.title).endsWith('(edited)'));
    expect(edited.length).toBeGreaterThan(0);
    // Act
    const run = await e2e.run('e2e-pipeline-run-2');
    // Assess
    expect(run.execution.error ?? run.execution.status).toBe('SUCCEEDED');
    const results = finalResults(run);
    const issues = results.get('github')?.streams.find((s) => s.stream === 'issues');
    // Only what changed since the watermark (plus the records at the watermark itself, `since` is inclusive).
    expect(issues?.records).toBeGreaterThanOrEqual(edited.length);
    expect(issues?.records).toBeLessThan(sandbox.records('github', 'issues').length / 2);
    const served = sandbox.served();
    const tables = curatedTables(run);
    for (const source of SOURCES) {
      for (const stream of sandbox.streams(source)) {
        const unique = served[source]?.streams[stream]?.unique ?? 0;
        expect(unique, `${source}/${stream} grew`).toBeGreaterThan(
          before[source]?.streams[stream]?.unique ?? 0,
        );
        expect(tables.get(`${source}/${stream}`)?.rowsTotal, `${source}/${stream} curated`).toBe(unique);
      }
    }
    // Read the tables back: one row per key, the edits in place.
    const names = [...tables.values()].map((t) => t.table.split('.').at(-1) as string);
    const keys = {
      ...Object.fromEntries(names.map((n) => [n, '_id'])),
      ...(await keyColumns(tables.values())),
    };
    const curated = await readCurated({
      warehouse: e2e.warehouse,
      keys,
      sql: [`SELECT id, title, state FROM local.tributary_dev.github_issues WHERE title LIKE '%(edited)'`],
    });
    for (const name of names) {
      expect(curated.tables[name]?.distinct, `${name} has no duplicate key`).toBe(curated.tables[name]?.rows);
    }
    const curatedEdits = new Map(curated.rows[0]?.map((r) => [Number(r.id), r]));
    expect(curatedEdits.size).toBe(edited.length);
    for (const issue of edited) {
      expect(curatedEdits.get(issue.id as number)).toMatchObject({ title: issue.title, state: issue.state });
    }
  }, 900_000);
});
