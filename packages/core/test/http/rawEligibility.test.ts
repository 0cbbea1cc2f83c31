/** Which streams land the API's bytes (scanned) and which are parsed: the plan decides once per stream. */
import { expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { compileStream } from '../../src/http/streamPlan.ts';

const planOf = (stream: Record<string, unknown>) => {
  const definition = defineSource({
    name: 'eligibility',
    baseUrl: 'https://x.example',
    streams: { parent: { path: '/parents', records: 'data' }, items: { path: '/items', ...stream } as never },
  });
  return compileStream(definition, 'items', definition.baseUrl, {});
};

test.each([
  [
    'records at a path, cursor at the top level',
    { records: 'data', incremental: { cursorField: 'updated_at' } },
  ],
  ['a root array', { records: '' }],
  ['a nested records path', { records: 'result.items' }],
  ['a child stream that carries nothing', { path: '/p/{parent.id}/items', parent: { stream: 'parent' } }],
  [
    'a cursor read from the body beside the records',
    {
      records: 'data',
      paginator: { type: 'cursor', param: 'c', cursorPath: 'meta.next', hasMorePath: 'has_more' },
    },
  ],
  [
    "a cursor from the last record (Stripe's starting_after)",
    { records: 'data', paginator: { type: 'cursor', param: 'starting_after', lastRecordPath: 'id' } },
  ],
])('scanned: %s', (_what, stream) => {
  expect(planOf(stream).raw).toBeDefined();
});

test.each([
  ['a transform', { records: 'data', transform: (r: object) => r }],
  [
    'parent fields carried into each record',
    { path: '/p/{parent.id}/items', parent: { stream: 'parent', carry: { parent_id: 'id' } } },
  ],
  ['a nested cursor field', { records: 'data', incremental: { cursorField: 'purchase.approved_at' } }],
  [
    'a paginator path inside the records',
    { records: 'data', paginator: { type: 'nextUrl', path: 'data.next' } },
  ],
  [
    'a paginator path on a root array',
    { records: '', paginator: { type: 'offset', limit: 10, totalPath: 'total' } },
  ],
])('parsed: %s', (_what, stream) => {
  expect(planOf(stream).raw).toBeUndefined();
});
