/**
 * Window steps whose `{since}` / `{until}` are in a JSON request body (HubSpot's CRM search:
 * `filterGroups` with `lastmodifieddate` GTE / LT in epoch milliseconds, `after` in the body): each
 * slice's bounds are rendered into the body of every request of that slice — a resume inside a
 * slice and the halves of a split slice included — and every record lands exactly once; and a
 * stepped POST report that answers CSV (its date range in the body) lands each slice's file.
 */
import { createHandler, defineSource } from '@tributary/core';
import {
  createBucket,
  type FixtureApi,
  type FixtureRequest,
  readLanded,
  startFixtureApi,
} from '@tributary/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WindowStepDefinition } from '../../src/definition/window.ts';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { type Contact, contactsAt, instants } from './support/searchApi.ts';

const bucket = 'landing-window-step-bodies-test';
const window = { since: '2026-01-01T00:00:00Z', until: '2026-01-07T00:00:00Z' };
// One contact an hour for six days: 48 in each two-day slice.
const hourly = contactsAt(instants('2026-01-01T00:00:00Z', 144, 3_600_000));
let api: FixtureApi | undefined;
let folders = 0;

beforeAll(async () => {
  await createBucket(bucket);
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

interface SearchBody {
  filterGroups: { filters: { propertyName: string; operator: 'GTE' | 'LT'; value: string }[] }[];
  after?: string;
  limit: number;
}

/** HubSpot's search, as documented: the filters and `after` in the body; a 400 past `cap` results. */
function startSearch(contacts: Contact[], cap = Number.POSITIVE_INFINITY) {
  return startFixtureApi((req) => {
    if (req.method !== 'POST' || req.path !== '/crm/v3/objects/contacts/search')
      return { status: 404, body: { message: 'not found' } };
    const body = JSON.parse(req.body) as SearchBody;
    const bound = (op: string) =>
      body.filterGroups[0]?.filters.find((f) => f.operator === op && f.propertyName === 'lastmodifieddate')
        ?.value;
    const gte = Number(bound('GTE') ?? Number.NEGATIVE_INFINITY);
    const lt = Number(bound('LT') ?? Number.POSITIVE_INFINITY);
    const matching = contacts.filter((c) => Date.parse(c.updated_at) >= gte && Date.parse(c.updated_at) < lt);
    const after = Number(body.after ?? 0);
    if (after >= cap) return { status: 400, body: { status: 'error', message: `cannot page past ${cap}` } };
    const results = matching.slice(after, after + body.limit);
    const more = after + body.limit < matching.length;
    return {
      body: {
        total: matching.length,
        results,
        ...(more && { paging: { next: { after: String(after + body.limit) } } }),
      },
    };
  });
}

function searchSource(steps: WindowStepDefinition) {
  return defineSource({
    name: 'hubspot-like',
    baseUrl: 'https://api.example.invalid',
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
    streams: {
      contacts: {
        path: '/crm/v3/objects/contacts/search',
        request: {
          type: 'json',
          method: 'POST',
          retrySafe: true,
          body: {
            filterGroups: [
              {
                filters: [
                  { propertyName: 'lastmodifieddate', operator: 'GTE', value: '{since:unixMs}' },
                  { propertyName: 'lastmodifieddate', operator: 'LT', value: '{until:unixMs}' },
                ],
              },
            ],
            limit: 10,
          },
        },
        records: 'results',
        primaryKey: 'id',
        writeDisposition: 'append',
        paginator: { type: 'cursor', in: 'body', param: 'after', cursorPath: 'paging.next.after' },
        incremental: { cursorField: 'updated_at', initialSince: '2026-01-01T00:00:00Z' },
        window: steps,
      },
    },
  });
}

async function setUp(contacts: Contact[], cap?: number) {
  api = await startSearch(contacts, cap);
  const outputFolder = `crm/step-bodies-${++folders}`;
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
  return { api, outputFolder };
}

/** Each request's bounds (ms, from its body) and `after`. */
function queries(fixture: FixtureApi) {
  return fixture.requests.map((r: FixtureRequest) => {
    const body = JSON.parse(r.body) as SearchBody;
    const filters = body.filterGroups[0]!.filters;
    return {
      since: Number(filters.find((f) => f.operator === 'GTE')?.value),
      until: Number(filters.find((f) => f.operator === 'LT')?.value),
      after: body.after ?? null,
    };
  });
}
const ms = (iso: string) => Date.parse(iso);
const day = (d: number) => ms(`2026-01-0${d}T00:00:00Z`);
const ids = (records: Record<string, unknown>[]) => records.map((r) => r.id as number).sort((a, b) => a - b);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

type Handler = ReturnType<typeof createHandler>;
async function runToEnd(handler: Handler, event: Record<string, unknown>, checks = 1_000) {
  const results = [await handler(event, budgetContext(checks))];
  while (results.at(-1)!.status === 'partial') {
    const continuation = results.at(-1)!.continuation;
    results.push(await handler({ ...event, continuation }, budgetContext(checks)));
  }
  return results;
}

describe('window steps with the bounds in a JSON body', () => {
  it("renders each slice's bounds into the body of every request of the slice", async () => {
    // Prepare
    const { api, outputFolder } = await setUp(hourly);
    const runId = '2026-01-20-body-steps';

    // Act
    const results = await runToEnd(createHandler(searchSource({ step: 'P2D' })), { runId, window });

    // Assess: three slices of two days, five pages each, `after` in the body
    const sent = queries(api);
    expect(api.requests.every((r) => r.method === 'POST')).toBe(true);
    expect([...new Set(sent.map((q) => `${q.since}-${q.until}`))]).toEqual([
      `${day(1)}-${day(3)}`,
      `${day(3)}-${day(5)}`,
      `${day(5)}-${day(7)}`,
    ]);
    expect(sent.slice(0, 5).map((q) => q.after)).toEqual([null, '10', '20', '30', '40']);
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(ids(landed.records)).toEqual(oneToN(144));
    expect(results.at(-1)!.status).toBe('complete');
    expect(landed.state?.watermark).toBe('2026-01-06T23:00:00.000Z');
  });

  it("resumes inside a slice with that slice's bounds in the body, not the run's", async () => {
    // Prepare
    const { api, outputFolder } = await setUp(hourly);
    const runId = '2026-01-20-body-resume';
    const handler = createHandler(searchSource({ step: 'P2D' }));

    // Act: the first invocation stops inside the second slice
    const first = await handler({ runId, window }, budgetContext(8));
    const requested = api.requests.length;
    await runToEnd(handler, { runId, window, continuation: first.continuation });

    // Assess
    expect(first.status).toBe('partial');
    const resumed = queries(api)[requested]!;
    expect(resumed.since).toBe(day(3));
    expect(resumed.until).toBe(day(5));
    expect(resumed.after).not.toBeNull();
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(ids(landed.records)).toEqual(oneToN(144));
  });

  it('splits an over-full slice (maxRecords, totalPath): the halves are bounded in the body', async () => {
    // Prepare: 100 more contacts ten seconds apart from 2026-01-03T03:00 make the second slice 148
    const crowded = contactsAt([
      ...instants('2026-01-01T00:00:00Z', 144, 3_600_000),
      ...instants('2026-01-03T03:00:00Z', 100, 10_000),
    ]);
    const { api, outputFolder } = await setUp(crowded, 60);
    const runId = '2026-01-20-body-split';

    // Act
    await runToEnd(createHandler(searchSource({ step: 'P2D', maxRecords: 60, totalPath: 'total' })), {
      runId,
      window,
    });

    // Assess: no query paged past the cap; the second slice read in smaller slices, each in the body
    const sent = queries(api);
    expect(sent.every((q) => q.after === null || Number(q.after) < 60)).toBe(true);
    const inSecond = sent.filter((q) => q.since >= day(3) && q.until <= day(5));
    expect(inSecond.some((q) => q.until - q.since < 2 * 86_400_000)).toBe(true);
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(ids(landed.records)).toEqual(oneToN(244));
  });
});

describe('window steps on a POST report that answers CSV', () => {
  it("renders each slice's dates into the body and lands every row once, the watermark at the last row", async () => {
    // Prepare: a report API that takes its date range in the JSON body and answers CSV
    api = await startFixtureApi((req) => {
      const { range } = JSON.parse(req.body) as { range: { start: string; end: string } };
      const rows = hourly.filter(
        (c) =>
          Date.parse(c.updated_at) >= Date.parse(range.start) &&
          Date.parse(c.updated_at) < Date.parse(range.end),
      );
      const csv = `id,updated_at\n${rows.map((c) => `${c.id},${c.updated_at}`).join('\n')}\n`;
      return { headers: { 'content-type': 'text/csv' }, body: csv };
    });
    const outputFolder = `crm/step-bodies-${++folders}`;
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
    const source = defineSource({
      name: 'report-like',
      baseUrl: 'https://api.example.invalid',
      streams: {
        usage: {
          path: '/reports/usage',
          request: {
            type: 'json',
            method: 'POST',
            retrySafe: true,
            body: { range: { start: '{since}', end: '{until}' }, format: 'csv' },
          },
          decoder: { type: 'csv' },
          primaryKey: 'id',
          incremental: { cursorField: 'updated_at', initialSince: '2026-01-01T00:00:00Z' },
          window: { step: 'P2D' },
        },
      },
    });
    const runId = '2026-01-20-csv-steps';

    // Act
    const results = await runToEnd(createHandler(source), { runId, window });

    // Assess
    expect(results.at(-1)!.status).toBe('complete');
    const ranges = api.requests.map((r) => (JSON.parse(r.body) as { range: object }).range);
    expect(ranges).toEqual([
      { start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z' },
      { start: '2026-01-03T00:00:00Z', end: '2026-01-05T00:00:00Z' },
      { start: '2026-01-05T00:00:00Z', end: '2026-01-07T00:00:00Z' },
    ]);
    const landed = await readLanded(bucket, outputFolder, 'usage', runId);
    expect(landed.records.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(oneToN(144));
    expect(landed.state?.watermark).toBe('2026-01-06T23:00:00.000Z');
  });
});
