/**
 * The real stripe definition through the real handler, against a Stripe double on loopback and
 * S3 / Secrets Manager on the moto server.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Handler } from '@tributary/core';
import {
  type CapturedOutput,
  keysContaining,
  type LoopbackApi,
  lambdaContext,
  readLanded,
  rejectionOf,
  type SourceTest,
  startSourceTest,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCharge, makeData, makeEvent, type StripeFaults, stripeRoute } from '../double/index.ts';

const API_KEY = 'sk_test_51FixtureKey0123456789SECRET';
const BUCKET = 'tributary-test-source-stripe';
const SECRET = 'api-credentials/stripe-source-test';
const FOLDER = 'payments/stripe';

const data = makeData(250, 120, 30);
// An invoice still open when the first run reads the list; it is paid later (see the fourth test).
Object.assign(data.invoices[3]!, { status: 'open', amount_paid: 0 });

/** The event types the charges stream asks for (`types[]`). */
const CHARGE_TYPES = ['captured', 'expired', 'failed', 'pending', 'refunded', 'succeeded', 'updated'].map(
  (t) => `charge.${t}`,
);
const unix = (iso: unknown) => Math.floor(Date.parse(String(iso)) / 1000);
/** The until of a landed run's window, in unix seconds. */
const untilOf = (landed: { manifest: Record<string, unknown> | undefined }) =>
  unix((landed.manifest?.window as { until?: string } | undefined)?.until);

/** A stream's watermark as a previous run would have left it (a run an hour or 40 days ago). */
async function setWatermark(stream: string, watermark: Date): Promise<void> {
  const body = {
    watermark: watermark.toISOString(),
    runId: 'an-earlier-run',
    updatedAt: watermark.toISOString(),
  };
  await new S3Client({ forcePathStyle: true }).send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: `_state/${FOLDER}/${stream}.json`,
      Body: JSON.stringify(body),
    }),
  );
}
const faults: StripeFaults = {
  rateLimitOn: new Map([['charges', 2]]),
  invalidOn: new Set(),
  lockTimeoutOn: new Map([['invoices', 1]]),
  doNotRetryOn: new Set(),
};

let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { api_key: API_KEY }],
    folder: FOLDER,
    route: stripeRoute(data, API_KEY, faults),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler, output } = run);
});

afterAll(() => run?.close());

describe('stripe source', () => {
  it('lands charges, customers and invoices, paging with starting_after through a 429 and a 409', async () => {
    // Act
    const result = await handler({ runId: 'stripe-run-1' }, lambdaContext());

    // Assess: every record landed, nested objects as sent, each stamped with the run's until as
    // its version (no watermark: a full read of the lists)
    expect(result.status).toBe('complete');
    for (const stream of ['charges', 'customers', 'invoices'] as const) {
      const landed = await readLanded(BUCKET, FOLDER, stream, 'stripe-run-1');
      expect(landed.records.map((r) => r.id).sort()).toEqual(data[stream].map((r) => r.id).sort());
      expect(landed.manifest).toMatchObject({
        records: data[stream].length,
        primaryKey: ['id'],
        cursorField: 'version_at',
      });
      const until = untilOf(landed);
      for (const r of landed.records) expect(r.version_at).toBe(until);
      expect(output.text()).toContain(`stream ${stream}: no watermark: reading /v1/${stream} in full`);
    }
    const charges = await readLanded(BUCKET, FOLDER, 'charges', 'stripe-run-1');
    const until = untilOf(charges);
    expect(charges.records.find((r) => r.id === data.charges[7]!.id)).toEqual({
      ...data.charges[7],
      version_at: until,
    });
    expect(charges.manifest?.pages).toBe(3);

    // the watermark is the run's until (the time the lists were read), as a date: the next run
    // follows the events from there
    expect(Date.parse(String(charges.state?.watermark))).toBe(until * 1000);

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
      expect(r.path).not.toBe('/v1/events');
      // first run: everything, as the lists stand now
      expect(r.query.has('created[gte]')).toBe(false);
      expect(r.query.has('created[lt]')).toBe(false);
    }
    expect(output.text()).not.toContain(API_KEY);
    expect(await keysContaining(BUCKET, API_KEY)).toEqual([]); // nor S3
  });

  it('asks a second run for the events since the watermark, landing the objects they carry', async () => {
    // Prepare: five new charges, each with its charge.succeeded event, dated within the lookback
    const watermark = unix((await readLanded(BUCKET, FOLDER, 'charges', 'stripe-run-1')).state?.watermark);
    const created: number[] = [];
    for (let i = 0; i < 5; i++) {
      const charge = makeCharge(1000 + i, watermark - 100 - i);
      data.charges.push(charge);
      data.events.push(makeEvent('charge.succeeded', charge, watermark - 1 - i));
      created.push(watermark - 1 - i);
    }
    // …an event of another object (its data.object is a customer) and one older than the lookback
    data.events.push(makeEvent('customer.updated', data.customers[0]!, watermark - 5));
    data.events.push(makeEvent('charge.updated', data.charges[0]!, watermark - 3600));
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'stripe-run-2', streams: ['charges'] }, lambdaContext());

    // Assess: one request to /v1/events: the charge types, created[gte] = watermark − 10 minutes
    const sent = api.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/v1/events']);
    expect(sent[0]!.query.getAll('types[]')).toEqual(CHARGE_TYPES);
    expect(sent[0]!.query.get('created[gte]')).toBe(String(watermark - 600));
    expect(Number(sent[0]!.query.get('created[lt]'))).toBeGreaterThanOrEqual(watermark);
    const landed = await readLanded(BUCKET, FOLDER, 'charges', 'stripe-run-2');
    expect(landed.records.map((r) => r.id)).toEqual(data.charges.slice(-5).map((c) => c.id));
    expect(landed.records.map((r) => r.version_at)).toEqual(created);
    expect(landed.records[0]).toEqual({ ...data.charges.at(-5), version_at: created[0] });
    expect(result.streams[0]!.records).toBe(5);
    // the watermark does not move back to the older events
    expect(unix(landed.state?.watermark)).toBe(watermark);
  });

  it('lands the paid version of an invoice created before the watermark', async () => {
    // Prepare: the last run an hour ago; the invoice (created 2026-11-01, open then) has since been
    // updated and then paid
    const now = Math.floor(Date.now() / 1000);
    await setWatermark('invoices', new Date((now - 3600) * 1000));
    const open = { ...data.invoices[3]! };
    const paid = { ...open, status: 'paid', amount_paid: open.amount_due };
    Object.assign(data.invoices[3]!, paid);
    data.events.push(
      makeEvent('invoice.updated', { ...open, metadata: { po: '42' } }, now - 1800, { metadata: {} }),
      makeEvent('invoice.paid', paid, now - 900, { status: 'open', amount_paid: 0 }),
      makeEvent('invoice.finalized', open, now - 7200), // before the window
    );
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'stripe-run-paid', streams: ['invoices'] }, lambdaContext());

    // Assess: the events since the watermark (minus 10 minutes), newest first, as versions of the invoice
    const sent = api.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['/v1/events']);
    expect(sent[0]!.query.get('created[gte]')).toBe(String(now - 3600 - 600));
    expect(sent[0]!.query.getAll('types[]')).toContain('invoice.paid');
    const landed = await readLanded(BUCKET, FOLDER, 'invoices', 'stripe-run-paid');
    expect(landed.records.map((r) => [r.id, r.status, r.version_at])).toEqual([
      [open.id, 'paid', now - 900],
      [open.id, 'open', now - 1800],
    ]);
    expect(landed.records[0]).toEqual({ ...paid, version_at: now - 900 });
    // newest-wins on version_at (the curated merge on id) keeps the paid one
    const newest = landed.records.reduce((a, b) => (Number(b.version_at) > Number(a.version_at) ? b : a));
    expect(newest.status).toBe('paid');
    expect(landed.manifest).toMatchObject({ cursorField: 'version_at', writeDisposition: 'merge' });
    expect(unix(landed.state?.watermark)).toBe(now - 900);
    expect(result.streams[0]!.records).toBe(2);
  });

  it('reads the list in full when the watermark is older than the 30 days Stripe keeps events, saying so', async () => {
    // Prepare: the last customers run 40 days ago; an event of then is no longer listed
    const fortyDaysAgo = new Date(Date.now() - 40 * 86_400_000);
    await setWatermark('customers', fortyDaysAgo);
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'stripe-run-stale', streams: ['customers'] }, lambdaContext());

    // Assess: /v1/customers in full, no /v1/events, a warning naming the reason
    const sent = api.requests.slice(before);
    expect(new Set(sent.map((r) => r.path))).toEqual(new Set(['/v1/customers']));
    for (const r of sent) expect(r.query.has('created[gte]')).toBe(false);
    const landed = await readLanded(BUCKET, FOLDER, 'customers', 'stripe-run-stale');
    expect(landed.records.map((r) => r.id).sort()).toEqual(data.customers.map((r) => r.id).sort());
    const until = untilOf(landed);
    for (const r of landed.records) expect(r.version_at).toBe(until);
    expect(output.text()).toMatch(
      /stream customers: since \S+ is older than the 30 days \/v1\/events keeps: reading \/v1\/customers in full \(a full refresh\)/,
    );
    // the watermark moves to the read's until: the next run follows the events again
    expect(unix(landed.state?.watermark)).toBe(until);
    expect(result.streams[0]!.records).toBe(data.customers.length);
  });

  it("fails on Stripe's error object, naming the status, landing nothing and keeping the watermark", async () => {
    // Prepare
    faults.invalidOn.add('customers');
    faults.invalidOn.add('events'); // the customers stream follows /v1/events now
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
    faults.doNotRetryOn.add('events'); // the invoices stream follows /v1/events now
    const before = api.requestsTo('/v1/events').length;

    // Act
    const run = handler({ runId: 'stripe-run-4', streams: ['invoices'] }, lambdaContext());

    // Assess: asked once, not retried as a 500 otherwise is
    const error: Error = await rejectionOf(run);
    expect(error.message).toMatch(/500/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(API_KEY);
    expect(api.requestsTo('/v1/events').length - before).toBe(1);
    expect((await readLanded(BUCKET, FOLDER, 'invoices', 'stripe-run-4')).manifest).toBeUndefined();
  });
});
