/**
 * Typed leaves of a JSON body (definition/README.md, "Request styles"): `{ "$number": "<template>" }`
 * and `{ "$boolean": "<template>" }` are sent as a JSON number and boolean; a malformed leaf is a
 * DefinitionError naming its path; a rendered value that is not a number is a TemplateError naming
 * the body path, the template and the value. A body's own object with a key named like a compiled
 * template's (`parts`) is sent as written.
 */
import { type ApiRequest, rejectionOf, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { DefinitionError, TemplateError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import { FAST_RETRY, readAll, WINDOW } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const SINCE = new Date('2026-11-01T00:00:00Z');
const bodies = (requests: ApiRequest[]) => requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);

async function setup(streams: SourceInput['streams'], routes: Parameters<typeof startApi>[0]) {
  const api = await startApi(routes);
  closers.push(api.close);
  const source = defineSource({
    name: 'typed-test',
    baseUrl: 'https://x.example',
    retry: FAST_RETRY,
    streams,
  });
  return {
    api,
    read: createReader(source, { baseUrl: api.url, logger: { debug() {}, info() {}, warn() {} } }),
  };
}

const define = (body: Record<string, unknown>) =>
  defineSource({
    name: 'typed-test',
    baseUrl: 'https://x.example',
    streams: {
      s: { path: '/s', request: { type: 'json', method: 'POST', body: body as never }, records: 'items' },
    },
  });

describe('typed leaves in a json body', () => {
  test('$number and $boolean render to JSON numbers and booleans (the window, a parent field); string leaves stay strings', async () => {
    const { api, read } = await setup(
      {
        accounts: { path: '/accounts', records: 'items' },
        usage: {
          path: '/usage/query',
          request: {
            type: 'json',
            method: 'POST',
            body: {
              from: { $number: '{since:unixMs}' },
              to: '{until:unixMs}',
              limit: { $number: '{parent.count}' },
              filters: [{ archived: { $boolean: '{parent.archived}' }, id: '{parent.id}' }],
              parts: ['kept', 'as written'],
            },
          },
          records: 'items',
          parent: { stream: 'accounts' },
        },
      },
      { 'POST /usage/query': () => ({ body: { items: [{ id: 'u1' }] } }) },
    );
    const parents = [{ id: 7, count: 25, archived: false }];
    await readAll(read, 'usage', {
      window: { since: SINCE, until: WINDOW.until },
      parents: async function* () {
        yield* parents;
      },
    });
    expect(bodies(api.requestsTo('/usage/query'))).toEqual([
      {
        from: SINCE.getTime(),
        to: String(WINDOW.until.getTime()),
        limit: 25,
        filters: [{ archived: false, id: '7' }],
        parts: ['kept', 'as written'],
      },
    ]);
  });

  test('a $number window bound the run has not (a full read) drops its field, as a string leaf does', async () => {
    const { api, read } = await setup(
      {
        s: {
          path: '/s',
          request: { type: 'json', method: 'POST', body: { from: { $number: '{since:unixMs}' }, n: 1 } },
          records: 'items',
        },
      },
      { 'POST /s': () => ({ body: { items: [] } }) },
    );
    await readAll(read, 's');
    expect(bodies(api.requestsTo('/s'))).toEqual([{ n: 1 }]);
  });

  test('a rendered value that is not a number is a TemplateError naming the path, the template and the value', async () => {
    const { api, read } = await setup(
      {
        accounts: { path: '/accounts', records: 'items' },
        usage: {
          path: '/usage/query',
          request: { type: 'json', method: 'POST', body: { page: { size: { $number: '{parent.count}' } } } },
          records: 'items',
          parent: { stream: 'accounts' },
        },
      },
      { 'POST /usage/query': () => ({ body: { items: [] } }) },
    );
    const error = await rejectionOf(
      readAll(read, 'usage', {
        parents: async function* () {
          yield { id: 1, count: 'twelve' };
        },
      }),
    );
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).toMatch(
      /request body\.page\.size: \{"\$number": "\{parent\.count\}"\} rendered "twelve", not a number/,
    );
    expect(api.requests).toHaveLength(0);
  });

  test('a malformed typed leaf, or a constant of the wrong type, is a DefinitionError naming its path', () => {
    expect(() => define({ limit: { $number: '{since:unixMs}', extra: 1 } })).toThrow(DefinitionError);
    expect(() => define({ limit: { $number: '{since:unixMs}', extra: 1 } })).toThrow(
      /streams\.s\.request\.body\.limit: a typed leaf is an object of one key, \{"\$number": "<template>"\}/,
    );
    expect(() => define({ a: [{ b: { $boolean: 'yes' } }] })).toThrow(
      /streams\.s\.request\.body\.a\.0\.b\.\$boolean: "yes" is not true or false/,
    );
    expect(() => define({ limit: { $number: 5 } })).toThrow(/streams\.s\.request\.body\.limit: a typed leaf/);
    expect(() => define({ limit: { $number: '100' }, on: { $boolean: 'true' } })).not.toThrow();
    // The template inside is checked like any other.
    expect(() => define({ limit: { $number: '{owner}' } })).toThrow(
      /request\.body\.limit: \{owner\} has no value/,
    );
  });
});
