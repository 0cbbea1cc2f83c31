/**
 * A Lambda deadline that keeps coming: each invocation gets a few tens of milliseconds before its
 * safety margin, returns `partial`, and the state machine invokes it again with the continuation —
 * through to the same final data as one uninterrupted run: every record landed once, curated once.
 */
import { listKeys, readRecords } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedTables, type E2E, finalResults, startE2E } from './support/harness.ts';

describe('e2e: a forced short deadline', () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E({ seed: 5, records: 60 });
  }, 900_000);
  afterAll(() => e2e?.stop());

  it('continues through partial results to the same final data', async () => {
    // Act: 60 s left at each start, a 59.95 s safety margin: ~50 ms of work per invocation.
    const run = await e2e.run('e2e-deadline', {
      input: { sources: ['github', 'hotmart'] },
      remainingMs: 60_000,
      safetyMarginMs: 59_950,
    });
    // Assess
    expect(run.execution.error ?? run.execution.status).toBe('SUCCEEDED');
    const { sandbox, rawBucket } = e2e.stack;
    for (const source of ['github', 'hotmart'] as const) {
      const invocations = run.invocations.filter((i) => i.source === source);
      expect(invocations.filter((i) => i.result?.status === 'partial').length, source).toBeGreaterThan(1);
      expect(invocations.at(-1)?.result?.status).toBe('complete');
    }
    const results = finalResults(run);
    const tables = curatedTables(run);
    const keyOf: Record<string, (r: Record<string, unknown>) => unknown> = {
      commits: (r) => r.sha,
      sales_history: (r) => (r.purchase as { transaction: string }).transaction,
      subscriptions: (r) => r.subscriber_code,
      contributor_stats: (r) => `${r.repository}#${(r.author as { id: number }).id}`,
    };
    for (const source of ['github', 'hotmart'] as const) {
      for (const stream of sandbox.streams(source)) {
        const expected = sandbox.records(source, stream);
        // Landed: exactly the API's records, each once, across every invocation's parts.
        const landed = await readRecords(rawBucket, `${source}/${stream}/`);
        const key = keyOf[stream] ?? ((r: Record<string, unknown>) => r.id);
        expect(landed.map(key).sort(), `${source}/${stream} landed`).toEqual(expected.map(key).sort());
        expect(results.get(source)?.streams.find((s) => s.stream === stream)?.records).toBe(expected.length);
        expect(tables.get(`${source}/${stream}`)?.rowsTotal, `${source}/${stream} curated`).toBe(
          expected.length,
        );
      }
    }
    // One manifest per stream, written once.
    const manifests = (await listKeys(rawBucket)).filter((k) => k.endsWith('_manifest.json'));
    expect(manifests).toHaveLength(sandbox.streams('github').length + sandbox.streams('hotmart').length);
  }, 900_000);
});
