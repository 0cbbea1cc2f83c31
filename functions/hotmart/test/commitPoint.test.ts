/**
 * The manifest is the only commit point, through the real hotmart definition: a rerun of a finished
 * run whose manifest PUT fails (cut by a fault proxy in front of moto) leaves each committed manifest
 * and the parts it lists exactly as they were, and none of the rerun's parts behind — although sales
 * changed in between (refunds and cancellations, reported on the same transactions).
 */
import type { Handler } from '@tributary/core';
import {
  type CapturedOutput,
  captureOutput,
  committedMismatches,
  createBucket,
  createSecret,
  type FaultProxy,
  getObject,
  type LoopbackApi,
  lambdaContext,
  listKeys,
  rejectionOf,
  startApi,
  startFaultProxy,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HotmartState, hotmartRoute, makeSale, makeSubscription } from './hotmartApi.ts';

const CLIENT_ID = 'a1b2c3d4-fixture-client-id';
const CLIENT_SECRET = 'hotmart-fixture-client-SECRET-0123456789';
const BUCKET = 'tributary-test-source-hotmart-commit';
const SECRET = 'api-credentials/hotmart-commit-test';
const FOLDER = 'hotmart';
const motoEndpoint = process.env.AWS_ENDPOINT_URL!;

const state: HotmartState = {
  sales: Array.from({ length: 600 }, (_, i) => makeSale(i)),
  subscriptions: Array.from({ length: 30 }, (_, i) => makeSubscription(i)),
  tokens: [],
  duringLimit: [],
};

let api: LoopbackApi;
let proxy: FaultProxy;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  await createBucket(BUCKET);
  await createSecret(SECRET, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  api = await startApi(hotmartRoute(state, CLIENT_ID, CLIENT_SECRET));
  proxy = await startFaultProxy(motoEndpoint);
  Object.assign(process.env, {
    API_BASE_URL: api.url,
    AUTH_TOKEN_URL: `${api.url}/security/oauth/token`,
    TARGET_S3_BUCKET_NAME: BUCKET,
    SECRET_NAME: SECRET,
    OUTPUT_FOLDER: FOLDER,
  });
  output = captureOutput();
  ({ handler } = await import('../src/handler.ts'));
});

afterAll(async () => {
  process.env.AWS_ENDPOINT_URL = motoEndpoint;
  output?.restore();
  await api?.close();
  await proxy?.close();
});

describe('hotmart: a rerun whose manifest PUT fails', () => {
  it('leaves every committed manifest and its parts exact, and no part of the rerun', async () => {
    // Prepare: a finished run
    const runId = '2026-11-23-hotmart-commit';
    const first = await handler({ runId }, lambdaContext());
    expect(first.status).toBe('complete');
    const committed = first.streams.map((s) => {
      const key = s.manifest!.replace(`s3://${BUCKET}/`, '');
      return { key, prefix: key.replace(/_manifest\.json$/, '') };
    });
    const before = await Promise.all(
      committed.map(async (c) => ({
        keys: await listKeys(BUCKET, c.prefix),
        manifest: await getObject(BUCKET, c.key),
      })),
    );
    // Before the rerun every sale is refunded and every subscription cancelled: same keys, same
    // dates, new status.
    for (const sale of state.sales) (sale.purchase as { status: string }).status = 'REFUNDED';
    for (const sub of state.subscriptions) sub.status = 'CANCELLED_BY_CUSTOMER';
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(({ method, url }) => method === 'PUT' && url.includes('/_manifest.json'));

    try {
      // Act
      const failure = await rejectionOf(handler({ runId }, lambdaContext()));

      // Assess
      expect(failure.name).toBe('SinkError');
      const rerunParts = proxy.requests.filter(
        (r) => r.method === 'PUT' && r.url.includes('/part-') && !r.cut,
      );
      expect(rerunParts.length).toBeGreaterThanOrEqual(1);
      for (const [i, c] of committed.entries()) {
        expect(await listKeys(BUCKET, c.prefix)).toEqual(before[i]!.keys);
        expect(await getObject(BUCKET, c.key)).toEqual(before[i]!.manifest);
        expect(await committedMismatches(BUCKET, c.key)).toEqual([]);
      }
    } finally {
      proxy.cut(undefined);
      process.env.AWS_ENDPOINT_URL = motoEndpoint;
    }
  });
});
