/**
 * The real hubspot definition through the real handler, against the HubSpot double on loopback
 * and S3 / Secrets Manager on the moto server: contacts (more than one search may return) and
 * deals, a throttled search, a failed one, an incremental second run, and a refused token.
 */
import type { Handler } from '@tributary/core';
import { serveDouble } from '@tributary/sandbox/double';
import {
  type ApiRequest,
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
import {
  type CrmObject,
  type HubspotDoubleOptions,
  hubspotDouble,
  MAX_RESULTS,
  makeContact,
  makeDeal,
  type ObjectType,
} from '../double/index.ts';

const TOKEN = 'pat-na1-hubspotFixtureTokenSECRET';
const BUCKET = 'tributary-test-source-hubspot';
const SECRET = 'api-credentials/hubspot-source-test';
const FOLDER = 'crm/hubspot';
const T0 = Date.parse('2026-11-01T00:00:00Z');

// 10,400 contacts modified within three hours: more than one search returns, so the run's window
// must be sliced for every contact to land.
const contacts = Array.from({ length: MAX_RESULTS + 400 }, (_, i) => makeContact(i));
const deals = Array.from({ length: 300 }, (_, i) => makeDeal(i, T0 - i * 3_600_000));
const options: HubspotDoubleOptions = {
  objects: new Map<ObjectType, CrmObject[]>([
    ['contacts', contacts],
    ['deals', deals],
  ]),
  token: TOKEN,
  faults: { throttleOn: new Map([['contacts', 2]]), failOn: new Map([['deals', 2]]) },
  // As a community report says search answers come: nothing here may depend on the headers.
  rateLimitHeaders: false,
};

let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { private_app_token: TOKEN }],
    folder: FOLDER,
    route: serveDouble(hubspotDouble(options)),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler, output } = run);
});

afterAll(() => run?.close());

const CONTACTS = '/crm/v3/objects/contacts/search';
// biome-ignore lint/suspicious/noExplicitAny: a request body, read field by field
const bodyOf = (r: ApiRequest) => JSON.parse(r.body) as Record<string, any>;
/** The [GTE, LT) bounds a search asked for, in epoch ms. */
const boundsOf = (r: ApiRequest) => {
  const filters = bodyOf(r).filterGroups[0].filters as { operator: string; value: string }[];
  return [
    filters.find((f) => f.operator === 'GTE')?.value,
    filters.find((f) => f.operator === 'LT')?.value,
  ].map(Number);
};
const idsOf = (records: Record<string, unknown>[]) => records.map((r) => r.id as string);

describe('hubspot source', () => {
  it('lands every contact once through slices of at most 10,000 results, paging `after` in the body through a 429 and a 500', async () => {
    // Act
    const result = await handler({ runId: 'hubspot-run-1' }, lambdaContext());

    // Assess: every object once, with its properties as strings
    expect(result.status).toBe('complete');
    const landed = await readLanded(BUCKET, FOLDER, 'contacts', 'hubspot-run-1');
    expect(idsOf(landed.records).sort()).toEqual(contacts.map((c) => c.id).sort());
    expect(landed.records[0]).toMatchObject({ properties: { email: expect.any(String) }, archived: false });
    expect(landed.manifest).toMatchObject({
      records: contacts.length,
      primaryKey: ['id'],
      cursorField: 'properties.lastmodifieddate',
    });
    expect(landed.state?.watermark).toBe(contacts.at(-1)!.properties.lastmodifieddate);
    const dealsLanded = await readLanded(BUCKET, FOLDER, 'deals', 'hubspot-run-1');
    expect(idsOf(dealsLanded.records).sort()).toEqual(deals.map((d) => d.id).sort());
    // The deals search answered 500 was asked again: a search is `retrySafe` (a POST is not by default).
    const dealSearches = api.requestsTo('/crm/v3/objects/deals/search');
    expect(dealSearches[2]!.body).toBe(dealSearches[1]!.body);

    // Assess: the searches — POSTs with the token, the window in the filters, pages of 200, and
    // no `after` at or past the cap (HubSpot answers those 400)
    const sent = api.requestsTo(CONTACTS);
    for (const r of api.requests) {
      expect(r.method).toBe('POST');
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(bodyOf(r).limit).toBe(200);
    }
    expect(sent.every((r) => Number(bodyOf(r).after ?? 0) < MAX_RESULTS)).toBe(true);
    const slices = new Set(sent.map((r) => boundsOf(r).join('-')));
    expect(slices.size).toBeGreaterThan(1);
    // The throttled second search was sent again as it was.
    expect(sent[2]!.body).toBe(sent[1]!.body);
    expect(output.text()).not.toContain(TOKEN);
    expect(await keysContaining(BUCKET, TOKEN)).toEqual([]);
  });

  it('asks a second run for what was modified since the watermark, in the search filters', async () => {
    // Prepare: two contacts modified, one added
    const at = T0 + 86_400_000;
    for (const [n, c] of [contacts[3]!, contacts[9]!].entries()) {
      c.properties.lastmodifieddate = new Date(at + n * 500).toISOString();
      c.updatedAt = c.properties.lastmodifieddate;
    }
    contacts.push(makeContact(20_000, at + 1_000));
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'hubspot-run-2', streams: ['contacts'] }, lambdaContext());

    // Assess: the window starts on the watermark, included ([since, until)): the contact on it is
    // read again (merged on its id), with the two modified and the new one
    const sent = api.requests.slice(before);
    const watermark = contacts[MAX_RESULTS + 399]!;
    expect(boundsOf(sent[0]!)[0]).toBe(Date.parse(watermark.properties.lastmodifieddate!));
    const landed = await readLanded(BUCKET, FOLDER, 'contacts', 'hubspot-run-2');
    expect(idsOf(landed.records).sort()).toEqual(
      [contacts[3]!.id, contacts[9]!.id, watermark.id, '21000'].sort(),
    );
    expect(result.streams[0]!.records).toBe(4);
    expect(landed.state?.watermark).toBe(new Date(at + 1_000).toISOString());
  });

  it('fails on a refused token with an AuthError that names no secret, landing nothing', async () => {
    // Prepare: the private app's token rotated in HubSpot, not in the secret
    options.token = 'pat-na1-rotated';
    const before = await readLanded(BUCKET, FOLDER, 'deals', 'hubspot-run-1');

    // Act
    const error: Error = await rejectionOf(
      handler({ runId: 'hubspot-run-3', streams: ['deals'] }, lambdaContext()),
    );

    // Assess
    expect(error.name).toBe('AuthError');
    expect(error.message).toMatch(/401/);
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(TOKEN);
    expect(output.text()).not.toContain(TOKEN);
    const landed = await readLanded(BUCKET, FOLDER, 'deals', 'hubspot-run-3');
    expect(landed.manifest).toBeUndefined();
    expect(landed.state).toEqual(before.state);
    options.token = TOKEN;
  });
});
