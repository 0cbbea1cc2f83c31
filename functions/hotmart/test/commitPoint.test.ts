/**
 * The manifest is the only commit point, through the real hotmart definition: a rerun of a finished
 * run whose manifest PUT fails (cut by a fault proxy in front of moto) leaves each committed manifest
 * and the parts it lists exactly as they were, and none of the rerun's parts behind — although sales
 * changed in between (refunds and cancellations, reported on the same transactions).
 */
import type { Handler } from '@tributary/core';
import { assertManifestIsTheCommitPoint, type SourceTest, startSourceTest } from '@tributary/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type HotmartState, hotmartRoute, makeSale, makeSubscription } from '../double/index.ts';

const CLIENT_ID = 'a1b2c3d4-fixture-client-id';
const CLIENT_SECRET = 'hotmart-fixture-client-SECRET-0123456789';
const BUCKET = 'tributary-test-source-hotmart-commit';
const SECRET = 'api-credentials/hotmart-commit-test';
const FOLDER = 'hotmart';

const state: HotmartState = {
  sales: Array.from({ length: 600 }, (_, i) => makeSale(i)),
  subscriptions: Array.from({ length: 30 }, (_, i) => makeSubscription(i)),
  tokens: [],
  duringLimit: [],
};

let run: SourceTest<Handler> | undefined;
let handler: Handler;

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
  ({ handler } = run);
});

afterAll(() => run?.close());

describe('hotmart: a rerun whose manifest PUT fails', () => {
  it('leaves every committed manifest and its parts exact, and no part of the rerun', async () => {
    await assertManifestIsTheCommitPoint({
      handler,
      bucket: BUCKET,
      runId: '2026-11-23-hotmart-commit',
      changeData() {
        // Before the rerun every sale is refunded and every subscription cancelled: same keys, same
        // dates, new status.
        for (const sale of state.sales) (sale.purchase as { status: string }).status = 'REFUNDED';
        for (const sub of state.subscriptions) sub.status = 'CANCELLED_BY_CUSTOMER';
      },
    });
  });
});
