/**
 * Streams at once: at most `runtime.streamConcurrency` streams read together; when one fails, the
 * others stop at their next page boundary (no manifest, no watermark), streams not started stay
 * untouched, and the handler throws the failed stream's typed error. Invoked again with the same
 * event once the API is fixed, the run completes.
 */
import { createHandler, defineSource } from '@tributary/core';
import { createBucket, type FixtureApi, listKeys, startFixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';

const bucket = 'landing-concurrency-test';
const outputFolder = 'ops/letters';
const stream = (path: string) =>
  ({
    path,
    records: 'data',
    primaryKey: 'id',
    paginator: { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
    incremental: { cursorField: 'updated_at' },
  }) as const;
const source = defineSource({
  name: 'letters',
  baseUrl: 'https://letters.example.invalid',
  retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxTotalWaitMs: 10 },
  streams: { alpha: stream('/alpha'), beta: stream('/beta'), gamma: stream('/gamma') },
  runtime: { streamConcurrency: 2, partSizeBytes: 1024, safetyMarginMs: 60_000 },
});
const handler = createHandler(source);
let api: FixtureApi;
let inFlight = new Set<string>();
let maxInFlight = 0;
let betaBroken = true;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startFixtureApi(async (req) => {
    const name = req.path.slice(1);
    inFlight.add(name);
    maxInFlight = Math.max(maxInFlight, inFlight.size);
    await new Promise((r) => setTimeout(r, 2)); // let the streams overlap
    inFlight.delete(name);
    const offset = Number(req.query.get('cursor') ?? '0');
    if (name === 'beta' && offset === 30 && betaBroken) return { status: 404, body: { error: 'gone' } };
    const data = Array.from({ length: 10 }, (_, i) => ({
      id: offset + i,
      updated_at: new Date(Date.UTC(2026, 10, 1) + (offset + i) * 1000).toISOString(),
      stream: name,
    }));
    const more = offset + 10 < 200;
    return { body: { data, next_cursor: more ? String(offset + 10) : null, has_more: more } };
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(() => api.close());

describe('streams at once', () => {
  it('one failing stops the others cleanly and the handler throws its error; a retry completes the run', async () => {
    // Act
    const event = { runId: '2026-11-23T06-00-00Z-conc' };
    const failure = await handler(event, budgetContext(Infinity)).catch((e) => e);

    // Assess: the failed stream's error, the others stopped, nothing complete-looking
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toContain('stream beta');
    expect(failure.message).toContain('404');
    expect(maxInFlight).toBeLessThanOrEqual(2);
    const keys = await listKeys(bucket);
    expect(keys.filter((k) => k.endsWith('_manifest.json'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('_state/'))).toEqual([]);
    expect(api.requestsTo('/alpha').length).toBeLessThan(20); // stopped before its end
    expect(api.requestsTo('/gamma')).toEqual([]); // never started

    // Act: the API is fixed; the state machine retries the same event
    betaBroken = false;
    inFlight = new Set();
    maxInFlight = 0;
    const result = await handler(event, budgetContext(Infinity));

    // Assess
    expect(result.status).toBe('complete');
    expect(result.streams.map((s) => [s.stream, s.records])).toEqual([
      ['alpha', 200],
      ['beta', 200],
      ['gamma', 200],
    ]);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    const manifests = (await listKeys(bucket)).filter((k) => k.endsWith('_manifest.json'));
    expect(manifests).toHaveLength(3);
  });
});
