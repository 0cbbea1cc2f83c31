/**
 * A 2xx that is not data, and the watermark invariant it threatens. A Socrata-like API on loopback
 * (rows in `:id` order, paged by `$offset`, incremental on `:updated_at` written in another order)
 * answers `202 Request Processing` with `[]` for one page: taken as data it would end the walk, the
 * run would say `complete`, and the watermark — the greatest `:updated_at` seen — would pass the
 * unread rows for good. The default rule retries the 202; a walk that still does not reach the API's
 * own end never moves the watermark.
 */
import { createHandler, defineSource, type ResponseRule, TransientError } from '@tributary/core';
import {
  createBucket,
  type LoopbackApi,
  lambdaContext,
  listKeys,
  readLanded,
  rejectionOf,
  startApi,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHandlerEnv } from './support/context.ts';

const bucket = 'landing-not-ready-test';
const outputFolder = 'open/rows';
const T0 = Date.parse('2026-11-01T00:00:00Z');
const LIMIT = 10;

// 25 rows; `:updated_at` does not follow `:id`: the greatest is on the first page.
const rows = Array.from({ length: 25 }, (_, i) => ({
  ':id': `row-${String(i).padStart(3, '0')}`,
  ':updated_at': new Date(T0 + ((i * 7) % 25) * 60_000).toISOString(),
  value: i,
}));
const later = rows.map((r) => ({
  ...r,
  ':updated_at': new Date(Date.parse(r[':updated_at']) + 86_400_000).toISOString(),
}));

/** Which requests (1-based, per run) answer `202` with `[]`; the rest are data. */
let notReady: (nth: number) => boolean = () => false;
let served = rows;
let api: LoopbackApi;
let nth = 0;

function source(responseRules: ResponseRule[] = []) {
  return defineSource({
    name: 'open-rows',
    baseUrl: 'https://rows.example.invalid',
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxTotalWaitMs: 1_000 },
    responseRules,
    streams: {
      rows: {
        path: '/resource/rows.json',
        paginator: { type: 'offset', offsetParam: '$offset', limitParam: '$limit', limit: LIMIT },
        primaryKey: ':id',
        incremental: { cursorField: ':updated_at', params: { $where: ":updated_at > '{since:floating}'" } },
      },
    },
  });
}

const ids = (records: Record<string, unknown>[]) => records.map((r) => r[':id']);

beforeAll(async () => {
  await createBucket(bucket);
  api = await startApi({
    '/resource/rows.json': (req) => {
      nth++;
      if (notReady(nth)) return { status: 202, body: [] };
      const offset = Number(req.query.get('$offset') ?? 0);
      return { body: served.slice(offset, offset + Number(req.query.get('$limit'))) };
    },
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
});
afterAll(async () => {
  await api.close();
});

describe('202 Request Processing', () => {
  it('is retried: every row lands once and the watermark is the greatest cursor', async () => {
    // Prepare: the second page is not ready the first time it is asked for
    nth = 0;
    notReady = (n) => n === 2;

    // Act
    const result = await createHandler(source())({ runId: '2026-11-23-ready' }, lambdaContext());

    // Assess
    expect(result.status).toBe('complete');
    const landed = await readLanded(bucket, outputFolder, 'rows', '2026-11-23-ready');
    expect(ids(landed.records)).toEqual(ids(rows));
    expect(landed.manifest).toMatchObject({ records: 25, pages: 3 });
    const greatest = rows
      .map((r) => r[':updated_at'])
      .sort()
      .at(-1);
    expect(landed.state?.watermark).toBe(greatest);
    expect(api.requests.map((r) => r.query.get('$offset')).slice(-4)).toEqual(['0', '10', '10', '20']);
  });

  it('answered forever: a TransientError naming source, stream and URL; no manifest, the watermark kept', async () => {
    // Prepare
    served = later;
    nth = 0;
    notReady = (n) => n >= 2;
    const before = await readLanded(bucket, outputFolder, 'rows', '2026-11-23-ready');

    // Act
    const error = await rejectionOf(createHandler(source())({ runId: '2026-11-24-never' }, lambdaContext()));

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error.name).toBe('TransientError');
    expect(error.message).toContain('HTTP 202 (not ready');
    expect(error.message).toContain('gave up after 3 attempts');
    expect(error.message).toContain('source open-rows, stream rows');
    expect(error.message).toContain(`${api.url}/resource/rows.json?`);
    expect(await listKeys(bucket, `${outputFolder}/rows/`)).not.toContainEqual(
      expect.stringContaining('run_id=2026-11-24-never/'),
    );
    expect((await readLanded(bucket, outputFolder, 'rows', '2026-11-24-never')).state).toEqual(before.state);
  });
});

describe('a walk that does not reach the API\u2019s own end', () => {
  it('lands what it read and completes, but never moves the watermark', async () => {
    // Prepare: a definition that ignores 202 (as if it were "nothing here"); the second page is not ready
    served = later;
    nth = 0;
    notReady = (n) => n === 2;
    const before = await readLanded(bucket, outputFolder, 'rows', '2026-11-23-ready');
    const ignoring = source([{ status: 202, action: 'ignore' }]);

    // Act
    const result = await createHandler(ignoring)({ runId: '2026-11-25-cut' }, lambdaContext());

    // Assess: the first page landed, with a manifest; the watermark did not pass the unread rows
    expect(result.status).toBe('complete');
    const landed = await readLanded(bucket, outputFolder, 'rows', '2026-11-25-cut');
    expect(landed.records).toHaveLength(LIMIT);
    expect(landed.manifest).toMatchObject({ records: LIMIT });
    expect(landed.state).toEqual(before.state);
    expect(result.streams[0]!.watermark).toBe(before.state?.watermark);

    // Act again: the same API read to its end moves it
    nth = 0;
    notReady = () => false;
    const whole = await createHandler(ignoring)({ runId: '2026-11-26-whole' }, lambdaContext());

    // Assess
    const greatest = later
      .map((r) => r[':updated_at'])
      .sort()
      .at(-1);
    expect(whole.streams[0]!.watermark).toBe(greatest);
  });
});
