/**
 * One source failing does not stop the others: they land and are curated, and the execution ends
 * failed, naming the source that failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedTables, type E2E, finalResults, startE2E } from './support/harness.ts';

describe('e2e: a failing source', () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E({ seed: 11, records: 60 });
  }, 900_000);
  afterAll(() => e2e?.stop());

  it('leaves the other sources landed and curated, and fails the execution naming it', async () => {
    // Prepare: Stripe refuses the key (401, not retryable).
    const { sandbox } = e2e.stack;
    sandbox.fail('stripe', 'unauthorized');
    // Act
    const run = await e2e.run('e2e-failing-source');
    // Assess
    expect(run.execution.status).toBe('FAILED');
    expect(run.execution.cause).toContain('stripe');
    for (const other of ['github', 'hotmart', 'socrata'])
      expect(run.execution.cause).not.toContain(`${other}:`);
    const stripe = run.invocations.filter((i) => i.source === 'stripe');
    expect(stripe.length).toBeGreaterThan(0);
    expect(stripe.every((i) => i.error !== undefined)).toBe(true);
    expect(finalResults(run).has('stripe')).toBe(false);
    const served = sandbox.served();
    expect(served.stripe?.streams ?? {}).toEqual({});
    const tables = curatedTables(run);
    expect([...tables.keys()].some((k) => k.startsWith('stripe/'))).toBe(false);
    for (const source of ['github', 'hotmart', 'socrata'] as const) {
      for (const stream of sandbox.streams(source)) {
        const unique = served[source]?.streams[stream]?.unique;
        expect(unique, `${source}/${stream} served`).toBe(sandbox.records(source, stream).length);
        expect(tables.get(`${source}/${stream}`)?.rowsTotal, `${source}/${stream} curated`).toBe(unique);
      }
    }
  }, 900_000);
});
