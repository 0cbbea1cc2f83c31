/**
 * The HubSpot double against the behaviour HubSpot documents (README "What the double reproduces"),
 * over loopback HTTP: the search body and response, paging by `after`, the 10,000-result cap, the
 * search rate limit (on a clock the test moves), the rate-limit headers, and the 401 body.
 */
import { createSandbox } from '@tributary/sandbox';
import { serveDouble } from '@tributary/sandbox/double';
import { type LoopbackApi, startApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CrmObject,
  type HubspotDoubleOptions,
  hubspotDouble,
  makeContact,
  makeDeal,
  type ObjectType,
} from '../double/index.ts';

const TOKEN = 'pat-na1-00000000-double-test-token';
const T0 = Date.parse('2026-11-01T00:00:00Z');

const contacts = Array.from({ length: 10_050 }, (_, i) => makeContact(i));
const deals = Array.from({ length: 30 }, (_, i) => makeDeal(i, T0 + (30 - i) * 60_000));
let clock = T0;
const servers: LoopbackApi[] = [];

async function serve(extra: Partial<HubspotDoubleOptions> = {}): Promise<LoopbackApi> {
  const objects = new Map<ObjectType, CrmObject[]>([
    ['contacts', contacts],
    ['deals', deals],
  ]);
  // No search limit unless a test asks for one: the clock stands still.
  const api = await startApi(
    serveDouble(
      hubspotDouble({ objects, token: TOKEN, now: () => clock, searchesPerSecond: Infinity, ...extra }),
    ),
  );
  servers.push(api);
  return api;
}

// biome-ignore lint/suspicious/noExplicitAny: an answer's JSON, asserted field by field
type Answer = { status: number; headers: Headers; body: any };

/** A search of `type`; `token: null` sends none. */
async function search(
  api: LoopbackApi,
  type: string,
  body: unknown,
  token: string | null = TOKEN,
): Promise<Answer> {
  const response = await fetch(`${api.url}/crm/v3/objects/${type}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const window = (property: string, since: number, until: number) => ({
  filterGroups: [
    {
      filters: [
        { propertyName: property, operator: 'GTE', value: String(since) },
        { propertyName: property, operator: 'LT', value: String(until) },
      ],
    },
  ],
  sorts: [{ propertyName: property, direction: 'ASCENDING' }],
});

let api: LoopbackApi;
beforeAll(async () => {
  api = await serve();
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

describe('hubspot double: CRM search', () => {
  it('answers total, results with string properties, and paging.next.after until the last page', async () => {
    // Act: a window of 450 contacts, walked by `after`
    const body = {
      ...window('lastmodifieddate', T0 + 100_000, T0 + 550_000),
      properties: ['email'],
      limit: 200,
    };
    const pages = [];
    let after: string | undefined;
    do {
      const page = await search(api, 'contacts', { ...body, ...(after ? { after } : {}) });
      expect(page.status).toBe(200);
      pages.push(page.body);
      after = page.body.paging?.next?.after;
    } while (after);

    // Assess
    expect(pages.map((p) => p.results.length)).toEqual([200, 200, 50]);
    expect(pages.map((p) => p.total)).toEqual([450, 450, 450]);
    expect(pages[0].paging.next).toEqual({ after: '200', link: '?after=200' });
    expect(pages[2].paging).toBeUndefined();
    const results = pages.flatMap((p) => p.results);
    expect(results.map((r: CrmObject) => r.id)).toEqual(contacts.slice(100, 550).map((c) => c.id));
    expect(results[0]).toEqual({
      id: '1100',
      properties: { email: contacts[100]!.properties.email },
      createdAt: contacts[100]!.createdAt,
      updatedAt: new Date(T0 + 100_000).toISOString(),
      archived: false,
    });
  });

  it("returns an object type's default properties without `properties`, every value a string or null", async () => {
    const { body } = await search(api, 'deals', { limit: 3 });
    expect(Object.keys(body.results[0].properties).sort()).toEqual([
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ]);
    for (const r of body.results)
      for (const v of Object.values(r.properties)) expect(v === null || typeof v === 'string').toBe(true);
    expect(body.results[0].properties.hs_object_id).toBe(body.results[0].id);
  });

  it('filters with BETWEEN (bounds included, ISO or epoch ms), sorts by one rule either way, ORs filter groups', async () => {
    // deals[i] modified at T0 + (30 - i) minutes: deals 10..20 are in [T0 + 10 min, T0 + 20 min]
    const between = (value: string, highValue: string, direction = 'DESCENDING') => ({
      filterGroups: [
        { filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'BETWEEN', value, highValue }] },
      ],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction }],
      limit: 50,
    });
    const iso = await search(
      api,
      'deals',
      between(new Date(T0 + 600_000).toISOString(), new Date(T0 + 1_200_000).toISOString()),
    );
    const ms = await search(api, 'deals', between(String(T0 + 600_000), String(T0 + 1_200_000), 'ASCENDING'));
    expect(iso.body.results.map((r: CrmObject) => r.id)).toEqual(deals.slice(10, 21).map((d) => d.id));
    expect(ms.body.results.map((r: CrmObject) => r.id)).toEqual(
      deals
        .slice(10, 21)
        .map((d) => d.id)
        .reverse(),
    );
    const or = await search(api, 'deals', {
      filterGroups: [
        { filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: '5001' }] },
        { filters: [{ propertyName: 'hs_object_id', operator: 'IN', values: ['5003', '5004'] }] },
      ],
    });
    expect(or.body.results.map((r: CrmObject) => r.id)).toEqual(['5001', '5003', '5004']);
  });

  it('refuses with a 400 VALIDATION_ERROR a limit over 200, two sorts, too many filter groups, a bad body', async () => {
    const refusals = [
      { limit: 201 },
      { sorts: ['createdate', 'email'] },
      {
        filterGroups: Array.from({ length: 6 }, () => ({
          filters: [{ propertyName: 'email', operator: 'HAS_PROPERTY' }],
        })),
      },
      { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'LIKE', value: 'x' }] }] },
    ];
    for (const body of refusals) {
      const answer = await search(api, 'contacts', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({
        status: 'error',
        category: 'VALIDATION_ERROR',
        message: expect.any(String),
      });
      expect(answer.body.correlationId).toBe(answer.headers.get('x-hubspot-correlation-id'));
    }
  });
});

describe('hubspot double: the 10,000-result cap', () => {
  it('pages to the 10,000th result, offers after=10000, and answers that page 400 while total says 10,050', async () => {
    // Act
    const last = await search(api, 'contacts', { sorts: ['lastmodifieddate'], limit: 200, after: '9800' });
    const past = await search(api, 'contacts', { sorts: ['lastmodifieddate'], limit: 200, after: '10000' });

    // Assess
    expect(last.status).toBe(200);
    expect(last.body.total).toBe(10_050);
    expect(last.body.results).toHaveLength(200);
    expect(last.body.results.at(-1).id).toBe(contacts[9_999]!.id);
    expect(last.body.paging.next.after).toBe('10000');
    expect(past.status).toBe(400);
    expect(past.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(past.body.message).toContain('10000');
  });
});

describe('hubspot double: limits and credentials', () => {
  it('answers the sixth search within a second 429 with the RATE_LIMIT body, and searches again once it passed', async () => {
    // Prepare: the documented search limit, on a clock the test moves
    const limited = await serve({ searchesPerSecond: undefined });
    clock = T0;

    // Act
    const first = [];
    for (let i = 0; i < 6; i++) first.push(await search(limited, 'deals', { limit: 1 }));
    clock = T0 + 1_001;
    const later = await search(limited, 'deals', { limit: 1 });

    // Assess
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(first[5]!.body).toEqual({
      status: 'error',
      message: expect.any(String),
      errorType: 'RATE_LIMIT',
      correlationId: expect.any(String),
      policyName: 'SECONDLY',
    });
    expect(later.status).toBe(200);
    expect(first[4]!.headers.get('x-hubspot-ratelimit-max')).toBe('100');
    expect(first[4]!.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(first[4]!.headers.get('x-hubspot-ratelimit-remaining')).toBe('95');
    expect(first[4]!.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('249995');
  });

  it('throttles or fails the n-th search of a type on demand, and sends no rate-limit headers when told not to', async () => {
    const quiet = await serve({
      faults: { throttleOn: new Map([['contacts', 2]]), failOn: new Map([['contacts', 3]]) },
      rateLimitHeaders: false,
    });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await search(quiet, 'contacts', { limit: 1 }));
    expect(answers.map((a) => a.status)).toEqual([200, 429, 500, 200]);
    expect(answers[1]!.body.errorType).toBe('RATE_LIMIT');
    for (const a of answers)
      expect([...a.headers.keys()].filter((h) => h.startsWith('x-hubspot-ratelimit'))).toEqual([]);
  });

  it('answers a missing or wrong token 401 INVALID_AUTHENTICATION, without echoing it', async () => {
    for (const token of [null, 'pat-na1-wrong']) {
      const answer = await search(api, 'contacts', {}, token);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      expect(answer.body.message).toMatch(/^Authentication credentials not found/);
      expect(JSON.stringify(answer.body)).not.toContain('wrong');
    }
  });

  it('serves only contacts and deals search', async () => {
    const other = await fetch(`${api.url}/crm/v3/objects/companies/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{}',
    });
    expect(other.status).toBe(404);
  });
});

describe('hubspot double in the sandbox', () => {
  it('serves seeded contacts and deals with the secret it declares, and moves them on with advance()', async () => {
    // Prepare
    const sandbox = await createSandbox({ records: { hubspot: 40 }, faults: false });
    try {
      const token = sandbox.credentials.hubspot.private_app_token;
      const at = { url: sandbox.url } as LoopbackApi;
      const first = await search(at, 'contacts', { limit: 100 }, token);
      const newest = Math.max(
        ...first.body.results.map((r: CrmObject) => Date.parse(r.properties.lastmodifieddate!)),
      );

      // Act
      sandbox.advance();
      const since = await search(
        at,
        'contacts',
        window('lastmodifieddate', newest + 1, Date.now() + 1),
        token,
      );

      // Assess
      expect(first.body.total).toBe(40);
      expect(sandbox.records('hubspot', 'deals')).toHaveLength(40 + 1);
      expect(sandbox.streams('hubspot')).toEqual(['contacts', 'deals']);
      expect(since.body.total).toBe(2 + 1); // 5 % modified (2), 3 % added (1)
      expect((await search(at, 'deals', {}, 'pat-na1-wrong')).status).toBe(401);
    } finally {
      await sandbox.stop();
    }
  });
});
