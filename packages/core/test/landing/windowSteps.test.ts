/**
 * Window steps (issue 15 item 5) against a loopback search API with a date-filtered dataset: the
 * handler walks the window slice by slice (each request bounded by its slice), resumes a
 * continuation inside the slice it stopped in, moves the watermark no further than the start of a
 * slice it could not finish, and splits a slice over `maxRecords` — with the API's total and without
 * it — so that every record lands exactly once; one instant over the cap is a `WindowSliceError`.
 */
import { createHandler, defineSource } from '@tributary/core';
import { createBucket, type FixtureApi, readLanded, rejectionOf } from '@tributary/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WindowStepDefinition } from '../../src/definition/window.ts';
import { DefinitionError, MalformedResponseError, WindowSliceError } from '../../src/errors.ts';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import {
  type Contact,
  contactsAt,
  instants,
  type SearchApiOptions,
  startSearchApi,
} from './support/searchApi.ts';

const bucket = 'landing-window-steps-test';
const window = { since: '2026-01-01T00:00:00Z', until: '2026-01-11T00:00:00Z' };
// One contact an hour for ten days: 48 in each two-day slice, one on each slice boundary.
const hourly = instants('2026-01-01T00:00:00Z', 240, 3_600_000);
let api: FixtureApi | undefined;
let folders = 0;

beforeAll(async () => {
  await createBucket(bucket);
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function searchSource(
  steps: WindowStepDefinition,
  responseRules: { status: number; action: 'ignore' }[] = [],
) {
  return defineSource({
    name: 'search-api',
    baseUrl: 'https://search.example.invalid',
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
    streams: {
      contacts: {
        path: '/search',
        records: 'results',
        primaryKey: 'id',
        writeDisposition: 'append',
        paginator: { type: 'cursor', param: 'after', cursorPath: 'paging.next.after' },
        incremental: {
          cursorField: 'updated_at',
          params: { since: '{since}', until: '{until}' },
          initialSince: '2026-01-01T00:00:00Z',
        },
        window: steps,
        responseRules,
      },
    },
  });
}

/** Starts the API on `contacts`, points the handler at it and a fresh output folder. */
async function setUp(contacts: Contact[], options: SearchApiOptions) {
  api = await startSearchApi(contacts, options);
  const outputFolder = `crm/steps-${++folders}`;
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
  return { api, outputFolder };
}

type Handler = ReturnType<typeof createHandler>;
type Event = Record<string, unknown>;

/** Invokes until complete, each invocation stopping after `checks` clock checks; the results. */
async function runToEnd(handler: Handler, event: Event, checks = 1_000) {
  const results = [await handler(event, budgetContext(checks))];
  while (results.at(-1)!.status === 'partial') {
    const continuation = results.at(-1)!.continuation;
    results.push(await handler({ ...event, continuation }, budgetContext(checks)));
  }
  return results;
}

/** Each request's `[since, until)` (ms) and `after`. */
const queries = (fixture: FixtureApi) =>
  fixture.requestsTo('/search').map((r) => ({
    since: Date.parse(r.query.get('since')!),
    until: Date.parse(r.query.get('until')!),
    after: r.query.get('after'),
  }));
const ms = (iso: string) => Date.parse(iso);
const ids = (records: Record<string, unknown>[]) => records.map((r) => r.id as number).sort((a, b) => a - b);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('window steps', () => {
  it('walks the window one step after another, each request bounded by its slice', async () => {
    // Prepare
    const { api, outputFolder } = await setUp(contactsAt(hourly), { pageSize: 10 });
    const runId = '2026-01-20-steps';

    // Act
    const [result] = await runToEnd(createHandler(searchSource({ step: 'P2D' })), { runId, window });

    // Assess: five slices of two days, each paged to its end, every contact once
    const slices = [...new Set(queries(api).map((q) => `${q.since}-${q.until}`))];
    expect(slices).toEqual(
      [1, 3, 5, 7, 9].map(
        (d) =>
          `${ms(`2026-01-0${d}T00:00:00Z`)}-${ms(`2026-01-${String(d + 2).padStart(2, '0')}T00:00:00Z`)}`,
      ),
    );
    expect(queries(api)).toHaveLength(25); // 48 contacts a slice: 5 pages each
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(ids(landed.records)).toEqual(oneToN(240));
    expect(result).toMatchObject({ status: 'complete' });
    expect(landed.state?.watermark).toBe('2026-01-10T23:00:00.000Z');
  });

  it('carries the slice in the continuation and resumes inside it; the watermark waits for the end', async () => {
    // Prepare
    const { api, outputFolder } = await setUp(contactsAt(hourly), { pageSize: 10 });
    const runId = '2026-01-20-resume';
    const handler = createHandler(searchSource({ step: 'P2D' }));

    // Act: the first invocation stops after 7 pages: inside the second slice
    const first = await handler({ runId, window }, budgetContext(8));
    const afterFirst = await readLanded(bucket, outputFolder, 'contacts', runId);
    const requested = api.requests.length;
    const rest = await runToEnd(handler, { runId, window, continuation: first.continuation });

    // Assess
    expect(first.status).toBe('partial');
    const position = (first.continuation as { streams: Record<string, { position: unknown }> }).streams
      .contacts!.position as { slice: { since: string; until: string }; at: { s: { cursor: string } } };
    expect(position.slice).toEqual({ since: '2026-01-03T00:00:00.000Z', until: '2026-01-05T00:00:00.000Z' });
    expect(afterFirst.state).toBeUndefined(); // nothing committed, nothing claimed
    const resumed = queries(api)[requested]!;
    expect(resumed).toEqual({
      since: ms('2026-01-03T00:00:00Z'),
      until: ms('2026-01-05T00:00:00Z'),
      after: position.at.s.cursor,
    });
    expect(resumed.after).not.toBeNull();
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(ids(landed.records)).toEqual(oneToN(240));
    expect(rest.at(-1)!.status).toBe('complete');
    expect(landed.state?.watermark).toBe('2026-01-10T23:00:00.000Z');
  });

  it('moves the watermark to the start of a slice a walk could not finish, not past it', async () => {
    // Prepare: the third slice's query is answered 404, which the stream ignores
    const ignoreSince = '2026-01-05T00:00:00.000Z';
    const { outputFolder } = await setUp(contactsAt(hourly), { pageSize: 10, ignoreSince });
    const runId = '2026-01-20-cut';
    const source = searchSource({ step: 'P2D' }, [{ status: 404, action: 'ignore' }]);

    // Act
    const results = await runToEnd(createHandler(source), { runId, window });

    // Assess: slices 1, 2, 4, 5 landed; the watermark at the end of slice 2
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(landed.records).toHaveLength(4 * 48);
    expect(landed.state?.watermark).toBe(ignoreSince);
    expect(results.at(-1)!.streams[0]).toMatchObject({ watermark: ignoreSince });
    expect(results.at(-1)!.streams[0]!.warnings.join()).toMatch(/walk ended before the API said/);
  });

  it('with totalPath, a slice answered with no data (ignored) needs no total: it is cut short, not an error', async () => {
    // Prepare
    const ignoreSince = '2026-01-05T00:00:00.000Z';
    const { outputFolder } = await setUp(contactsAt(hourly), { pageSize: 10, ignoreSince });
    const steps = { step: 'P2D', maxRecords: 1_000, totalPath: 'total' };
    const source = searchSource(steps, [{ status: 404, action: 'ignore' }]);

    // Act
    await runToEnd(createHandler(source), { runId: '2026-01-20-cut-total', window });

    // Assess
    const landed = await readLanded(bucket, outputFolder, 'contacts', '2026-01-20-cut-total');
    expect(landed.records).toHaveLength(4 * 48);
    expect(landed.state?.watermark).toBe(ignoreSince);
  });
});

describe('window.maxRecords', () => {
  // 100 more contacts ten seconds apart from 2026-01-05T03:00: that slice holds 148 of 60 allowed.
  const crowded = contactsAt([...hourly, ...instants('2026-01-05T03:00:00Z', 100, 10_000)]);

  it('with totalPath, splits an over-full slice on its first page and lands every record once', async () => {
    // Prepare
    const { api, outputFolder } = await setUp(crowded, { pageSize: 10, cap: 60 });
    const runId = '2026-01-20-total';
    const source = searchSource({ step: 'P2D', maxRecords: 60, totalPath: 'total' });

    // Act
    await runToEnd(createHandler(source), { runId, window });

    // Assess: every contact exactly once, no query paged past the cap, an over-full query read no further than its first page
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(ids(landed.records)).toEqual(oneToN(340));
    expect(landed.manifest).toMatchObject({ records: 340 });
    const all = queries(api);
    expect(all.every((q) => q.after === null || Number(q.after) < 60)).toBe(true);
    const inSlice = (q: { since: number; until: number }) =>
      crowded.filter((c) => ms(c.updated_at) >= q.since && ms(c.updated_at) < q.until).length;
    const overFull = all.filter((q) => inSlice(q) > 60);
    expect(overFull.length).toBeGreaterThan(0);
    expect(overFull.every((q) => q.after === null)).toBe(true);
  });

  it('without totalPath, drops an over-full slice before it lands and still lands every record once', async () => {
    // Prepare
    const { outputFolder } = await setUp(crowded, { pageSize: 10, cap: 60 });
    const runId = '2026-01-20-count';
    const source = searchSource({ step: 'P2D', maxRecords: 60 });

    // Act: small deadlines, so that continuations fall inside held and landed slices
    const results = await runToEnd(createHandler(source), { runId, window }, 4);

    // Assess
    expect(results.length).toBeGreaterThan(2);
    const landed = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(ids(landed.records)).toEqual(oneToN(340));
    expect(landed.state?.watermark).toBe('2026-01-10T23:00:00.000Z');
  });

  it('is a MalformedResponseError naming window.totalPath when the first page has no such total', async () => {
    // Prepare
    await setUp(contactsAt(hourly), { pageSize: 10 });
    const source = searchSource({ step: 'P2D', maxRecords: 60, totalPath: 'paging.total' });

    // Act
    const run = createHandler(source)({ runId: '2026-01-20-no-total', window }, budgetContext(1_000));
    const error = await rejectionOf(run);

    // Assess
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toContain('window.totalPath "paging.total" is not a number');
  });

  it('is a WindowSliceError naming the stream and the slice when one instant holds more', async () => {
    // Prepare: 70 contacts at the same instant
    await setUp(contactsAt(Array.from({ length: 70 }, () => '2026-01-02T00:00:00.000Z')), {
      pageSize: 10,
      cap: 60,
    });
    const source = searchSource({ step: 'P2D', maxRecords: 60, totalPath: 'total' });

    // Act
    const error = await rejectionOf(
      createHandler(source)({ runId: '2026-01-20-instant', window }, budgetContext(1_000)),
    );

    // Assess
    expect(error).toBeInstanceOf(WindowSliceError);
    expect(error.message).toContain('stream contacts');
    expect(error.message).toContain('2026-01-02T00:00:00.000Z – 2026-01-02T00:00:00.001Z');
    expect(error.message).toMatch(/Narrow the query/);
  });
});

describe('window steps and backfill slices', () => {
  it('walks a backfill slice in steps, and the slice moves no watermark', async () => {
    // Prepare
    const { api, outputFolder } = await setUp(contactsAt(hourly), { pageSize: 100 });
    const runId = '2026-01-20-backfill-slice';
    const slice = { since: '2026-01-02T00:00:00Z', until: '2026-01-06T00:00:00Z' };

    // Act
    await runToEnd(createHandler(searchSource({ step: 'P2D' })), { runId, window: slice, slice: true });

    // Assess: the grid starts at the slice's own since
    expect(queries(api).map((q) => [q.since, q.until])).toEqual([
      [ms('2026-01-02T00:00:00Z'), ms('2026-01-04T00:00:00Z')],
      [ms('2026-01-04T00:00:00Z'), ms('2026-01-06T00:00:00Z')],
    ]);
    const state = await readLanded(bucket, outputFolder, 'contacts', runId);
    expect(state.state).toBeUndefined();
  });
});

describe('window in the definition', () => {
  it.each([
    [{ incremental: undefined }, /window: needs incremental/],
    [{ window: { step: 'P1M' } }, /years or months/],
    [{ window: { totalPath: 'total' } }, /give step, maxRecords, or both[\s\S]*totalPath: needs maxRecords/],
    [{ partitions: [{ a: 1 }], window: { maxRecords: 10 } }, /maxRecords: one query per slice only/],
  ])('refuses %j', (override, message) => {
    const build = () =>
      defineSource({
        name: 'search-api',
        baseUrl: 'https://search.example.invalid',
        streams: {
          contacts: {
            path: '/search',
            incremental: { cursorField: 'updated_at', initialSince: '2026-01-01T00:00:00Z' },
            window: { step: 'P2D' },
            ...override,
          },
        },
      });
    expect(build).toThrow(DefinitionError);
    expect(build).toThrow(message);
  });
});
