/**
 * The real hotmart definition through the real handler, against a Hotmart double (token endpoint
 * and Payments API) on loopback and S3 / Secrets Manager on the moto server.
 */
import type { Handler } from '@tributary/core';
import {
  type CapturedOutput,
  keysContaining,
  type LoopbackApi,
  lambdaContext,
  mostInWindow,
  readLanded,
  rejectionOf,
  type SourceTest,
  startSourceTest,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HotmartState, hotmartRoute, makeSale, makeSubscription } from '../double/index.ts';

const CLIENT_ID = 'a1b2c3d4-fixture-client-id';
const CLIENT_SECRET = 'hotmart-fixture-client-SECRET-0123456789';
const BUCKET = 'tributary-test-source-hotmart';
const SECRET = 'api-credentials/hotmart-source-test';
const FOLDER = 'hotmart';
const T0 = Date.parse('2026-11-01T00:00:00Z');

const state: HotmartState = {
  sales: Array.from({ length: 1100 }, (_, i) => makeSale(i)),
  subscriptions: Array.from({ length: 30 }, (_, i) => makeSubscription(i)),
  tokens: [],
  expireAtRequest: 2,
  rateLimitAtRequest: 4,
  duringLimit: [],
};

let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }],
    folder: FOLDER,
    route: hotmartRoute(state, CLIENT_ID, CLIENT_SECRET),
    env: (url) => ({
      AUTH_TOKEN_URL: `${url}/security/oauth/token`,
    }),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler, output } = run);
});

afterAll(() => run?.close());

const SALES = '/payments/api/v1/sales/history';
const transaction = (sale: Record<string, unknown>) => (sale.purchase as { transaction: string }).transaction;

describe('hotmart source', () => {
  it('lands sales and subscriptions, nested as sent, refreshing an expired token and waiting out a 429', async () => {
    // Act
    const result = await handler({ runId: 'hotmart-run-1' }, lambdaContext());

    // Assess: every record, deeply nested objects intact
    expect(result.status).toBe('complete');
    const sales = await readLanded(BUCKET, FOLDER, 'sales_history', 'hotmart-run-1');
    expect(sales.records).toHaveLength(1100);
    expect(new Set(sales.records.map((r) => transaction(r))).size).toBe(1100);
    expect(sales.records.find((r) => transaction(r) === 'HP17715690036051')).toEqual(state.sales[37]);
    expect(new Set(sales.records.map((r) => (r.purchase as { status: string }).status))).toEqual(
      new Set(['APPROVED', 'COMPLETE', 'REFUNDED', 'CHARGEBACK']),
    );
    expect(sales.manifest).toMatchObject({
      records: 1100,
      primaryKey: ['purchase.transaction'],
      cursorField: 'purchase.order_date',
    });
    expect(Date.parse(String(sales.state?.watermark))).toBe(T0 + 1099 * 60_000);

    const subs = await readLanded(BUCKET, FOLDER, 'subscriptions', 'hotmart-run-1');
    expect(subs.records.map((r) => r.subscriber_code).sort()).toEqual(
      state.subscriptions.map((r) => r.subscriber_code).sort(),
    );
    expect(subs.manifest).toMatchObject({ primaryKey: ['subscriber_code'] });
    // every subscription, not only the last 30 days' (Hotmart's default accession window)
    for (const r of api.requestsTo('/payments/api/v1/subscriptions')) {
      expect(r.query.get('accession_date')).toBe(String(Date.UTC(2011, 0, 1)));
    }

    // Assess: the token asked for as Hotmart wants it, then once more after the 401
    const tokenRequests = api.requestsTo('/security/oauth/token');
    expect(tokenRequests).toHaveLength(2);
    for (const t of tokenRequests) {
      expect(t.method).toBe('POST');
      expect(t.headers.authorization).toBe(
        `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      );
      expect(t.query.get('grant_type')).toBe('client_credentials');
      expect(t.query.get('client_id')).toBe(CLIENT_ID);
      expect(t.query.get('client_secret')).toBe(CLIENT_SECRET);
    }
    // every request refused with the expired token is repeated with the renewed one
    const apiRequests = api.requests.filter((r) => r.path !== '/security/oauth/token');
    const bearer = (i: number) => `Bearer ${state.tokens[i]}`;
    expect(apiRequests[0]!.headers.authorization).toBe(bearer(0));
    const refused = apiRequests.slice(1).filter((r) => r.headers.authorization === bearer(0));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      const again = apiRequests.filter(
        (x) => x.path === r.path && x.query.get('page_token') === r.query.get('page_token'),
      );
      expect(again.at(-1)!.headers.authorization).toBe(bearer(2));
    }

    // the pages walked: each purchase status asked for (Hotmart's default is APPROVED and COMPLETE
    // only), page_token from page_info.next_page_token, 500 a page, the window's end sent
    const salesRequests = api.requestsTo(SALES);
    expect(new Set(salesRequests.map((r) => r.query.get('transaction_status'))).size).toBe(17);
    const approved = salesRequests.filter((r) => r.query.get('transaction_status') === 'APPROVED');
    const approvedPages = [...new Set(approved.map((r) => r.query.get('page_token')))];
    expect(approvedPages).toEqual([null, expect.any(String)]); // 770 approved sales: two pages
    for (const r of salesRequests) {
      expect(r.query.get('max_results')).toBe('500');
      expect(r.query.has('start_date')).toBe(false); // first run: everything
      expect(Number(r.query.get('end_date'))).toBeGreaterThan(T0 + 1099 * 60_000);
    }
    // never more than the declared 5 requests in any 1 s window, measured at the double, the
    // 429's pause included
    expect(mostInWindow(api.requests.map((r) => r.at))).toBeLessThanOrEqual(5);
    // no request of either stream while the 429's limit was in force (until its RateLimit-Reset)
    expect(state.duringLimit).toEqual([]);
    // 17 statuses (APPROVED on two pages) + 1 subscriptions page, the refused ones and the 429 again
    expect(apiRequests.length).toBe(18 + 1 + refused.length + 1);
    expect(output.text()).not.toContain(CLIENT_SECRET);
    expect(await keysContaining(BUCKET, CLIENT_SECRET)).toEqual([]); // nor S3
    for (const t of state.tokens) expect(output.text()).not.toContain(t);
  });

  it('asks a second run for the transaction window from the watermark less 30 days, in epoch milliseconds', async () => {
    // Prepare: three new sales
    for (let i = 0; i < 3; i++) state.sales.push(makeSale(5001 + i, T0 + 86_400_000 + i));
    const before = api.requests.length;

    // Act
    await handler({ runId: 'hotmart-run-2', streams: ['sales_history'] }, lambdaContext());

    // Assess
    const sent = api.requests.slice(before).filter((r) => r.path === SALES);
    expect(sent).toHaveLength(18);
    for (const r of sent)
      expect(r.query.get('start_date')).toBe(String(T0 + 1099 * 60_000 - 30 * 86_400_000));
    const landed = await readLanded(BUCKET, FOLDER, 'sales_history', 'hotmart-run-2');
    expect(landed.records).toHaveLength(1103); // the last 30 days again (refunds keep their order date) and the three new
    expect(Date.parse(String(landed.state?.watermark))).toBe(T0 + 86_400_002);
  });

  it('fails on a 403 unauthorized_client, naming it, landing nothing, and without the secret', async () => {
    // Prepare
    state.forbidden = new Set(['/payments/api/v1/subscriptions']);

    // Act
    const run = handler({ runId: 'hotmart-run-3', streams: ['subscriptions'] }, lambdaContext());

    // Assess
    const error: Error = await rejectionOf(run);
    expect(error.message).toMatch(/403/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(CLIENT_SECRET);
    expect((await readLanded(BUCKET, FOLDER, 'subscriptions', 'hotmart-run-3')).manifest).toBeUndefined();
    expect(output.text()).not.toContain(CLIENT_SECRET);
  });
});
