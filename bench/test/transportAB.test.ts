/**
 * The transport A/B harness (bench/transport/) lands the same records through each transport: the
 * core built with its own transport, with undici's and with global fetch's, against the bench API's
 * gzipped pages, each in its own process, its landed parts read back from moto. Correctness only:
 * nothing here is timed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchApi, startApi } from '../api/startApi.ts';
import { type BenchBucket, createBenchBucket } from '../ingest/benchBucket.ts';
import { buildChildEntries } from '../lib/childEntries.ts';
import { buildTransport, TRANSPORTS } from '../transport/build.ts';
import { landThrough } from '../transport/runTransport.ts';

const RECORDS = 2_500; // three pages of 1,000: the cursor is followed twice
const motoEndpoint = process.env.AWS_ENDPOINT_URL!;

let api: BenchApi;
let bucket: BenchBucket;

beforeAll(async () => {
  const scripts = await buildChildEntries(['api']);
  api = await startApi(scripts.api, RECORDS, 1_000, { gzip: true });
  bucket = await createBenchBucket(motoEndpoint, `transport-ab-${Date.now().toString(36)}`);
});

afterAll(async () => {
  await api?.stop();
  await bucket?.remove();
});

/** What only that transport's code holds (the bundles keep names): proof that the swap took effect. */
const MARK = {
  ours: 'keepAliveAgents',
  undici: 'RedirectHandler',
  fetch: 'redirect:"follow"',
} as const;

describe('the transport A/B harness', () => {
  it.each(TRANSPORTS)(
    'lands every record exactly once through %s',
    { timeout: 180_000 },
    async (transport) => {
      const build = await buildTransport(transport);
      for (const file of [build.contender, build.fn]) {
        const text = readFileSync(file, 'utf8');
        for (const [other, mark] of Object.entries(MARK)) {
          // Our exchange is in every bundle: the streamed file path (csv/jsonl, streamTransport.ts)
          // uses it whichever `transmit` the JSON pages go through; the swap is seen in the others' marks.
          if (other === 'ours' && transport !== 'ours') continue;
          expect(text.includes(mark), `${transport} bundle ${file} holds ${other}'s "${mark}"`).toBe(
            other === transport,
          );
        }
      }
      const outDir = mkdtempSync(join(tmpdir(), 'transport-ab-'));
      const result = await landThrough(transport, build, api, RECORDS, bucket.name, 0, {
        motoEndpoint,
        outDir,
        log: () => {},
      });
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ ok: true, records: RECORDS });
      expect(result.landed).toMatchObject({ records: RECORDS, distinctKeys: RECORDS });
    },
  );
});
