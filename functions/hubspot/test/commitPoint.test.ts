/**
 * The manifest is the only commit point, through the real hubspot definition: a rerun of a finished
 * run whose manifest PUT fails (cut by a fault proxy in front of moto) leaves each committed manifest
 * and the parts it lists exactly as they were, and none of the rerun's parts behind — although the
 * CRM objects changed in between.
 */
import type { Handler } from '@tributary/core';
import { assertManifestIsTheCommitPoint, type SourceTest, startSourceTest } from '@tributary/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type CrmObject, hubspotRoute, makeContact, makeDeal, type ObjectType } from '../double/index.ts';

const TOKEN = 'pat-na1-hubspotCommitTokenSECRET';
const BUCKET = 'tributary-test-source-hubspot-commit';
const SECRET = 'api-credentials/hubspot-commit-test';

const contacts = Array.from({ length: 450 }, (_, i) => makeContact(i));
const deals = Array.from({ length: 40 }, (_, i) => makeDeal(i));
const objects = new Map<ObjectType, CrmObject[]>([
  ['contacts', contacts],
  ['deals', deals],
]);

let run: SourceTest<Handler> | undefined;
let handler: Handler;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { private_app_token: TOKEN }],
    folder: 'hubspot',
    route: hubspotRoute({ objects, token: TOKEN }),
    handler: () => import('../src/handler.ts'),
  });
  ({ handler } = run);
});

afterAll(() => run?.close());

describe('hubspot: a rerun whose manifest PUT fails', () => {
  it('leaves every committed manifest and its parts exact, and no part of the rerun', async () => {
    await assertManifestIsTheCommitPoint({
      handler,
      bucket: BUCKET,
      runId: '2026-12-01-hubspot-commit',
      changeData() {
        // The objects change before the rerun (same ids and last-modified times, other values).
        for (const o of [...contacts, ...deals]) o.properties.hs_object_id = `${o.id}-changed`;
      },
    });
  });
});
