/**
 * The real stripe definition through the real handler, against a Stripe double on loopback and
 * S3 / Secrets Manager on the moto server.
 */
import type { Handler } from '@tributary/core';
import {
  type CapturedOutput,
  captureOutput,
  createBucket,
  createSecret,
  keysContaining,
  type LoopbackApi,
  lambdaContext,
  readLanded,
  rejectionOf,
  startApi,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCharge, makeData, type StripeFaults, stripeRoute } from './stripeApi.ts';

const API_KEY = 'sk_test_51FixtureKey0123456789SECRET';
const BUCKET = 'tributary-test-source-stripe';
const SECRET = 'api-credentials/stripe-source-test';
const FOLDER = 'payments/stripe';
const T0 = Date.parse('2026-11-01T00:00:00Z') / 1000;

const data = makeData(250, 120, 30);
const faults: StripeFaults = {
  rateLimitOn: new Map([['charges', 2]]),
  invalidOn: new Set(),
  lockTimeoutOn: new Map([['invoices', 1]]),
  doNotRetryOn: new Set(),
};

let api: LoopbackApi;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  await createBucket(BUCKET);
  await createSecret(SECRET, { api_key: API_KEY });
  api = await startApi(stripeRoute(data, API_KEY, faults));
  Object.assign(process.env, {
    API_BASE_URL: api.url,
    TARGET_S3_BUCKET_NAME: BUCKET,
    SECRET_NAME: SECRET,
    OUTPUT_FOLDER: FOLDER,
  });
  output = captureOutput();
  ({ handler } = await import('../src/handler.ts'));
});

afterAll(async () => {
  output?.restore();
  await api?.close();
});

describe('stripe source', () => {
  it('lands charges, customers and invoices, paging with starting_after through a 429 and a 409', async () => {
    // Act
    const result = await handler({ runId: 'stripe-run-1' }, lambdaContext());

    // Assess: every record landed, nested objects as sent
    expect(result.status).toBe('complete');
    for (const stream of ['charges', 'customers', 'invoices'] as const) {
      const landed = await readLanded(BUCKET, FOLDER, stream, 'stripe-run-1');
      expect(landed.records.map((r) => r.id).sort()).toEqual(data[stream].map((r) => r.id).sort());
      expect(landed.manifest).toMatchObject({
        records: data[stream].length,
        primaryKey: ['id'],
        cursorField: 'created',
      });
    }
    const charges = await readLanded(BUCKET, FOLDER, 'charges', 'stripe-run-1');
    expect(charges.records.find((r) => r.id === data.charges[7]!.id)).toEqual(data.charges[7]);
    expect(charges.manifest?.pages).toBe(3);

    // the watermark is the newest `created`, as a date
    const newest = (T0 + 249 * 60) * 1000;
    expect(Date.parse(String(charges.state?.watermark))).toBe(newest);

    // Assess: the requests — bearer key, limit=100, each page after the previous page's last id,
    // the rate-limited page asked again
    const sent = api.requestsTo('/v1/charges');
    expect(sent.map((r) => r.query.get('starting_after'))).toEqual([
      null,
      data.charges[150]!.id, // 429
      data.charges[150]!.id,
      data.charges[50]!.id,
    ]);
    expect(api.requestsTo('/v1/invoices')).toHaveLength(2); // 409 lock_timeout, Stripe-Should-Retry: true
    for (const r of api.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(r.query.get('limit')).toBe('100');
      expect(r.query.has('created[gte]')).toBe(false); // first run: everything
      expect(Number(r.query.get('created[lt]'))).toBeGreaterThan(T0);
    }
    expect(output.text()).not.toContain(API_KEY);
    expect(await keysContaining(BUCKET, API_KEY)).toEqual([]); // nor S3
  });

  it('asks a second run for created[gte] the watermark, in unix seconds', async () => {
    // Prepare: five new charges
    for (let i = 0; i < 5; i++) data.charges.push(makeCharge(1000 + i, T0 + 20_000 + i));
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'stripe-run-2', streams: ['charges'] }, lambdaContext());

    // Assess
    const sent = api.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.query.get('created[gte]')).toBe(String(T0 + 249 * 60));
    const landed = await readLanded(BUCKET, FOLDER, 'charges', 'stripe-run-2');
    expect(landed.records).toHaveLength(6); // the newest of run 1 again (gte) and the five new
    expect(result.streams[0]!.records).toBe(6);
    expect(Date.parse(String(landed.state?.watermark))).toBe((T0 + 20_004) * 1000);
  });

  it("fails on Stripe's error object, naming the status, landing nothing and keeping the watermark", async () => {
    // Prepare
    faults.invalidOn.add('customers');
    const before = await readLanded(BUCKET, FOLDER, 'customers', 'stripe-run-1');

    // Act
    const run = handler({ runId: 'stripe-run-3', streams: ['customers'] }, lambdaContext());

    // Assess: Stripe-Should-Retry false — asked once, failed
    const error: Error = await rejectionOf(run);
    expect(error.message).toMatch(/400/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(API_KEY);
    const landed = await readLanded(BUCKET, FOLDER, 'customers', 'stripe-run-3');
    expect(landed.manifest).toBeUndefined();
    expect(landed.state).toEqual(before.state);
    expect(output.text()).not.toContain(API_KEY);
  });

  it('fails at once on a 5xx Stripe says not to retry (Stripe-Should-Retry: false)', async () => {
    // Prepare
    faults.doNotRetryOn.add('invoices');
    const before = api.requestsTo('/v1/invoices').length;

    // Act
    const run = handler({ runId: 'stripe-run-4', streams: ['invoices'] }, lambdaContext());

    // Assess: asked once, not retried as a 500 otherwise is
    const error: Error = await rejectionOf(run);
    expect(error.message).toMatch(/500/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(API_KEY);
    expect(api.requestsTo('/v1/invoices').length - before).toBe(1);
    expect((await readLanded(BUCKET, FOLDER, 'invoices', 'stripe-run-4')).manifest).toBeUndefined();
  });
});
