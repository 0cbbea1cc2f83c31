/**
 * Request styles end to end against a loopback API: a POST search paged by `after` in its JSON body
 * (HubSpot's CRM search), offset in the body, a form body, templates in the body, a continuation
 * that resumes the POST walk (the definition's checks: test/definition/requestDefinition.test.ts).
 */
import { type ApiRequest, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { createReader } from '../../src/http/createReader.ts';
import { FAST_RETRY, ids, readAll, WINDOW } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const ALL = Array.from({ length: 23 }, (_, i) => ({ id: String(i + 1) }));
const SINCE = new Date('2026-11-01T00:00:00Z');

/** HubSpot's CRM search as documented: `after` and `limit` in the body, `paging.next.after` until the last page. */
function search(req: ApiRequest) {
  const body = JSON.parse(req.body) as { after?: string; limit: number };
  const start = Number(body.after ?? 0);
  const results = ALL.slice(start, start + body.limit);
  const next = start + body.limit < ALL.length ? { next: { after: String(start + body.limit) } } : undefined;
  return { body: { total: ALL.length, results, ...(next ? { paging: next } : {}) } };
}

const SEARCH = {
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
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      limit: 10,
    },
  },
  records: 'results',
  paginator: { type: 'cursor', in: 'body', param: 'after', cursorPath: 'paging.next.after' },
  incremental: { cursorField: 'updatedAt' },
} satisfies SourceInput['streams'][string];

async function setup(
  streams: SourceInput['streams'],
  routes: Parameters<typeof startApi>[0],
  extra: Partial<SourceInput> = {},
) {
  const api = await startApi(routes);
  closers.push(api.close);
  const source = defineSource({
    name: 'request-test',
    baseUrl: 'https://x.example',
    retry: FAST_RETRY,
    streams,
    ...extra,
  });
  return {
    api,
    read: createReader(source, { baseUrl: api.url, logger: { debug() {}, info() {}, warn() {} } }),
  };
}

const bodies = (requests: ApiRequest[]) => requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);

describe('a json request', () => {
  test('a POST search is paged by `after` in the body to the end, its window rendered into the body', async () => {
    const { api, read } = await setup(
      { contacts: SEARCH },
      { 'POST /crm/v3/objects/contacts/search': search },
    );
    const pages = await readAll(read, 'contacts', { window: { since: SINCE, until: WINDOW.until } });
    expect(ids(pages)).toEqual(ALL.map((r) => r.id));
    expect(pages.map((p) => p.next === null)).toEqual([false, false, true]);
    expect(api.requests.map((r) => [r.method, r.headers['content-type']])).toEqual(
      Array(3).fill(['POST', 'application/json']),
    );
    const sent = bodies(api.requests);
    expect(sent.map((b) => b.after)).toEqual([undefined, '10', '20']);
    expect(sent[2]).toEqual({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(SINCE.getTime()) },
            { propertyName: 'lastmodifieddate', operator: 'LT', value: String(WINDOW.until.getTime()) },
          ],
        },
      ],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      limit: 10,
      after: '20',
    });
  });

  test('a continuation mid-walk resumes the POST walk at the right `after`, the body rendered anew', async () => {
    const { api, read } = await setup(
      { contacts: SEARCH },
      { 'POST /crm/v3/objects/contacts/search': search },
    );
    const window = { since: SINCE, until: WINDOW.until };
    const first: Awaited<ReturnType<typeof readAll>> = [];
    for await (const page of read('contacts', { window })) {
      first.push(page);
      break; // the deadline: stop after the first page
    }
    const position = first[0]!.next;
    // The position is the paginator's state, not the rendered body.
    expect(JSON.stringify(position)).not.toContain('filterGroups');
    expect(JSON.stringify(position)).toContain('"10"');
    const before = api.requests.length;
    const rest = await readAll(read, 'contacts', { window, from: JSON.parse(JSON.stringify(position)) });
    expect(ids([...first, ...rest])).toEqual(ALL.map((r) => r.id));
    const resumed = bodies(api.requests.slice(before));
    expect(resumed.map((b) => b.after)).toEqual(['10', '20']);
    expect(resumed[0]!.filterGroups).toEqual(bodies(api.requests)[0]!.filterGroups);
  });

  test('offset in the body: numbers at dotted paths, until the short page', async () => {
    const { api, read } = await setup(
      {
        items: {
          path: '/items/query',
          request: { type: 'json', method: 'PUT', body: { query: { kind: 'all' } } },
          records: 'rows',
          paginator: {
            type: 'offset',
            in: 'body',
            offsetParam: 'paging.offset',
            limitParam: 'paging.limit',
            limit: 10,
          },
        },
      },
      {
        'PUT /items/query': (req) => {
          const { paging } = JSON.parse(req.body) as { paging: { offset: number; limit: number } };
          return { body: { rows: ALL.slice(paging.offset, paging.offset + paging.limit) } };
        },
      },
    );
    expect(ids(await readAll(read, 'items'))).toEqual(ALL.map((r) => r.id));
    expect(bodies(api.requests)).toEqual(
      [0, 10, 20].map((offset) => ({ query: { kind: 'all' }, paging: { offset, limit: 10 } })),
    );
    expect(api.requests.every((r) => r.query.size === 0)).toBe(true);
  });

  test('partition values and parent fields fill the body; a window bound with no value drops its leaf', async () => {
    const { api, read } = await setup(
      {
        repos: {
          path: '/repos/search',
          request: {
            type: 'json',
            method: 'POST',
            body: { owner: '{owner}', updated: '{since:date}', n: 5 },
          },
          records: 'items',
          partitions: [{ owner: 'acme' }, { owner: 'zeta' }],
        },
        issues: {
          path: '/issues/search',
          request: {
            type: 'json',
            method: 'POST',
            body: { filter: { repo: '{parent.full_name}', ids: ['{parent.id}'] } },
          },
          records: 'items',
          parent: { stream: 'repos' },
        },
      },
      {
        'POST /repos/search': (req) => {
          const { owner } = JSON.parse(req.body) as { owner: string };
          return { body: { items: [{ id: `${owner}-1`, full_name: `${owner}/one` }] } };
        },
        'POST /issues/search': (req) => {
          const { filter } = JSON.parse(req.body) as { filter: { repo: string } };
          return { body: { items: [{ id: `${filter.repo}#1` }] } };
        },
      },
    );
    const repos = await readAll(read, 'repos');
    expect(bodies(api.requestsTo('/repos/search'))).toEqual([
      { owner: 'acme', n: 5 },
      { owner: 'zeta', n: 5 },
    ]);
    await readAll(read, 'repos', { window: { since: SINCE, until: WINDOW.until } });
    expect(bodies(api.requestsTo('/repos/search')).at(-1)).toEqual({
      owner: 'zeta',
      updated: '2026-11-01',
      n: 5,
    });
    const parents = repos.flatMap((p) => p.records);
    const issues = await readAll(read, 'issues', {
      parents: async function* () {
        yield* parents;
      },
    });
    expect(ids(issues)).toEqual(['acme/one#1', 'zeta/one#1']);
    expect(bodies(api.requestsTo('/issues/search'))).toEqual([
      { filter: { repo: 'acme/one', ids: ['acme-1'] } },
      { filter: { repo: 'zeta/one', ids: ['zeta-1'] } },
    ]);
  });
});

describe('a form request', () => {
  test('sends its fields as templates, form-encoded, with a body cursor as a field', async () => {
    const { api, read } = await setup(
      {
        items: {
          path: '/export',
          request: { type: 'form', method: 'POST', fields: { q: 'updated>{since}', 'types[]': ['a', 'b'] } },
          records: 'data',
          paginator: { type: 'cursor', in: 'body', param: 'cursor', cursorPath: 'next' },
        },
      },
      {
        'POST /export': (req) => {
          const start = Number(new URLSearchParams(req.body).get('cursor') ?? 0);
          const next = start + 10 < ALL.length ? String(start + 10) : null;
          return { body: { data: ALL.slice(start, start + 10), next } };
        },
      },
    );
    const pages = await readAll(read, 'items', { window: { since: SINCE, until: WINDOW.until } });
    expect(ids(pages)).toEqual(ALL.map((r) => r.id));
    expect(api.requests.map((r) => r.headers['content-type'])).toEqual(
      Array(3).fill('application/x-www-form-urlencoded'),
    );
    expect(api.requests.map((r) => r.body)).toEqual([
      'q=updated%3E2026-11-01T00%3A00%3A00Z&types%5B%5D=a&types%5B%5D=b',
      'q=updated%3E2026-11-01T00%3A00%3A00Z&types%5B%5D=a&types%5B%5D=b&cursor=10',
      'q=updated%3E2026-11-01T00%3A00%3A00Z&types%5B%5D=a&types%5B%5D=b&cursor=20',
    ]);
  });
});
