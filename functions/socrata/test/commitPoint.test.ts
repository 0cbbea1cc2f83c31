/**
 * The manifest is the only commit point, through the real socrata definition: a rerun of a finished
 * run whose manifest PUT fails (cut by a fault proxy in front of moto) leaves each committed manifest
 * and the parts it lists exactly as they were, and none of the rerun's parts behind — although the
 * dataset changed in between.
 */
import type { Handler } from '@tributary/core';
import { assertManifestIsTheCommitPoint, type SourceTest, startSourceTest } from '@tributary/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { makeRow, socrataRoute } from '../double/index.ts';

const APP_TOKEN = 'socrataFixtureAppTokenSECRET';
const BUCKET = 'tributary-test-source-socrata-commit';
const SECRET = 'api-credentials/socrata-commit-test';
const FOLDER = 'open-data/nyc';

const complaints = Array.from({ length: 12_000 }, (_, i) => makeRow('erm2-nwe9', i));
const permits = Array.from({ length: 40 }, (_, i) => makeRow('abcd-1234', i));
const datasets = new Map([
  ['erm2-nwe9', complaints],
  ['abcd-1234', permits],
]);

let run: SourceTest<Handler> | undefined;
let handler: Handler;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { app_token: APP_TOKEN }],
    folder: FOLDER,
    route: socrataRoute(datasets, APP_TOKEN, { throttleOn: new Map(), malformedOn: new Set() }),
    env: () => ({
      SOCRATA_DOMAIN: 'data.cityofnewyork.us',
      SOCRATA_DATASETS: 'complaints=erm2-nwe9,abcd-1234',
    }),
    handler: () => import('../src/handler.ts'),
  });
  ({ handler } = run);
});

afterAll(() => run?.close());

describe('socrata: a rerun whose manifest PUT fails', () => {
  it('leaves every committed manifest and its parts exact, and no part of the rerun', async () => {
    await assertManifestIsTheCommitPoint({
      handler,
      bucket: BUCKET,
      runId: '2026-11-23-socrata-commit',
      changeData() {
        // The portal's rows change before the rerun (same :id and :updated_at, another complaint type).
        for (const row of [...complaints, ...permits]) row.complaint_type = 'Changed since the first run';
      },
    });
  });
});
