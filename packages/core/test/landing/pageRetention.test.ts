/**
 * Memory stays flat however many pages a stream has: a landed page's records become garbage once
 * the sink has them, rather than staying reachable until the stream ends. Checked with weak
 * references and a forced full GC — no timing, no heap-size thresholds.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createHandler, defineSource } from '@tributary/core';
import { createBucket } from '@tributary/testkit';
import { beforeAll, expect, it } from 'vitest';
import type { Page, StreamReader } from '../../src/http/readTypes.ts';
import { setHandlerEnv } from './support/context.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const bucket = 'landing-page-retention-test';
const PAGES = 60;
const source = defineSource({
  name: 'retention',
  baseUrl: 'https://retention.example.invalid',
  streams: { items: { path: '/items', records: 'data', primaryKey: 'id' } },
});

beforeAll(async () => {
  await createBucket(bucket);
  setHandlerEnv({ bucket, outputFolder: 'ops/retention', apiBaseUrl: 'http://127.0.0.1:9' });
});

it('records of pages already landed are collectable while the stream goes on', async () => {
  // Prepare: a reader whose pages we can watch from outside
  const landedPages: WeakRef<object>[] = [];
  let aliveAtPage40 = -1;
  const reader: StreamReader = async function* () {
    for (let index = 0; index < PAGES; index++) {
      if (index === 40) {
        gc();
        aliveAtPage40 = landedPages.slice(0, 30).filter((ref) => ref.deref() !== undefined).length;
      }
      const records = Array.from({ length: 200 }, (_, i) => ({ id: index * 200 + i, body: 'x'.repeat(64) }));
      landedPages.push(new WeakRef(records));
      const page: Page = {
        records,
        index,
        url: `/items?page=${index}`,
        next: index + 1 < PAGES ? index + 1 : null,
      };
      yield page;
    }
  };
  const handler = createHandler(source, { createReader: () => reader });

  // Act
  const result = (await handler({ runId: '2026-11-23T06-00-00Z-retention' }, {
    getRemainingTimeInMillis: () => 15 * 60_000,
  } as never)) as { status: string; streams: { records: number }[] };

  // Assess: the run landed everything, and none of the first 30 pages was still held at page 40
  expect(result.status).toBe('complete');
  expect(result.streams[0]?.records).toBe(PAGES * 200);
  expect(aliveAtPage40).toBe(0);
});
