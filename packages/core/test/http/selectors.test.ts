/**
 * Wildcard records paths (issue 15 item 4) against a loopback API: `data.*.items` and
 * `results[*].rows` flatten every match in order, across pages; a plain path keeps the scan fast
 * path (the API's bytes), a wildcard one is parsed; a body without the part before the wildcard is a
 * `MalformedResponseError` naming it; a malformed path is refused when the definition loads.
 */
import { startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { DefinitionError, MalformedResponseError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import { compileStream } from '../../src/http/streamPlan.ts';
import { FAST_RETRY, ids, readAll } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
const quiet = { debug() {}, info() {}, warn() {} };

async function setup(streams: SourceInput['streams'], routes: Parameters<typeof startApi>[0]) {
  const api = await startApi(routes);
  closers.push(api.close);
  const source = defineSource({
    name: 'selectors-test',
    baseUrl: 'https://api.example.com',
    retry: FAST_RETRY,
    streams,
  });
  return { source, read: createReader(source, { baseUrl: api.url, logger: quiet }) };
}

// Two pages of groups; each group holds its items (Meta's insights, a report's sections).
const grouped = (page: number) => ({
  data: {
    first: { items: [{ id: page * 10 + 1 }, { id: page * 10 + 2 }] },
    empty: { items: [] },
    none: { other: true },
    second: { items: [{ id: page * 10 + 3 }] },
  },
  next: page === 0 ? '1' : null,
});
const sheets = {
  results: [{ rows: [{ id: 1 }, { id: 2 }] }, { rows: null }, { rows: [{ id: 3 }] }],
  plain: [{ id: 7 }, { id: 8 }],
};
const cursor = { type: 'cursor' as const, param: 'page', cursorPath: 'next' };

describe('wildcard records paths', () => {
  test('data.*.items: every group in order, its items flattened, on every page', async () => {
    const { read } = await setup(
      { groups: { path: '/groups', records: 'data.*.items', paginator: cursor } },
      { '/groups': (req) => ({ body: grouped(Number(req.query.get('page') ?? '0')) }) },
    );

    const pages = await readAll(read, 'groups');

    expect(ids(pages)).toEqual([1, 2, 3, 11, 12, 13]);
    expect(pages.map((p) => p.lines)).toEqual([undefined, undefined]); // parsed, not scanned
  });

  test('results[*].rows: every element of the array, its rows flattened (null rows: none)', async () => {
    const { read } = await setup(
      { rows: { path: '/sheets', records: 'results[*].rows' } },
      { '/sheets': () => ({ body: sheets }) },
    );

    expect(ids(await readAll(read, 'rows'))).toEqual([1, 2, 3]);
  });

  test('a match that is not an array is one record: data.* over an object of records', async () => {
    const { read } = await setup(
      { by_key: { path: '/by-key', records: 'data.*' } },
      { '/by-key': () => ({ body: { data: { a: { id: 1 }, b: { id: 2 } } } }) },
    );

    expect(ids(await readAll(read, 'by_key'))).toEqual([1, 2]);
  });

  test('a plain path still lands the API bytes (scanned); the same records through a wildcard are parsed', async () => {
    const { source, read } = await setup(
      {
        plain: { path: '/sheets', records: 'plain' },
        wild: { path: '/sheets', records: 'results.*.rows' },
      },
      { '/sheets': () => ({ body: sheets }) },
    );

    const [plain] = await readAll(read, 'plain');
    const [wild] = await readAll(read, 'wild');

    expect(compileStream(source, 'plain', source.baseUrl, {}).raw).toBeDefined();
    expect(compileStream(source, 'wild', source.baseUrl, {}).raw).toBeUndefined();
    expect(plain!.lines?.ndjson.toString()).toBe('{"id":7}\n{"id":8}\n');
    expect(wild!.lines).toBeUndefined();
    expect(wild!.records.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  test('a body without the path before the wildcard is a MalformedResponseError naming what it has', async () => {
    const { read } = await setup(
      { rows: { path: '/oops', records: 'results[*].rows' } },
      { '/oops': () => ({ body: { error: 'quota', detail: 'x' } }) },
    );

    const error = await readAll(read, 'rows').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toContain('the body has no "results"; its keys are ["error", "detail"]');
  });

  test.each(['data.', 'data[0].items', 'data.it*ms', 'data..items'])(
    'refuses the records path %j',
    (records) => {
      const build = () =>
        defineSource({
          name: 'selectors-test',
          baseUrl: 'https://api.example.com',
          streams: { s: { path: '/s', records } },
        });
      expect(build).toThrow(DefinitionError);
      expect(build).toThrow(/streams\.s\.records: .* is not a records path/);
    },
  );
});
