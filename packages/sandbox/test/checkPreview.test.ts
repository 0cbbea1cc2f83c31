/**
 * `pnpm check`'s sample and column preview, against a loopback double of a small API: an API key in
 * the query masked in every URL shown (the request and the next one), secret-looking values of the
 * sample record masked, child tables planned from `childTables`, names by the one rule; and the
 * preview alone (previewColumns) on nested objects, depth, collisions and scalar arrays.
 */
import { defineSource } from '@tributary/core';
import { createSecret, type LoopbackApi, startApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSource, previewColumns } from '../src/local/index.ts';

const KEY = 'qk_live_0123456789abcdefSECRET';
const SECRET = 'api-credentials/orders-check-test';
const order = (id: number) => ({
  id,
  updatedAt: `2026-11-0${1 + (id % 9)}T00:00:00Z`,
  customer: { name: `c${id}`, client_secret: 'cs_shown_nowhere_123', address: { city: 'Leeds' } },
  access_token: 'tok_shown_nowhere_456',
  lines: [
    { sku: `s${id}`, qty: 2, price: { amount: 1.5 } },
    { sku: 'x', qty: 1, price: { amount: 3 } },
  ],
  tags: ['a', 'b'],
});

let api: LoopbackApi;
beforeAll(async () => {
  api = await startApi((req) => {
    if (req.path !== '/v2/orders') return { status: 404, body: { error: 'not found' } };
    if (req.query.get('key') !== KEY) return { status: 401, body: { error: 'bad key' } };
    const offset = Number(req.query.get('offset') ?? 0);
    return { body: { results: [1, 2, 3].map((i) => order(offset + i)), total: 9 } };
  });
  await createSecret(SECRET, { key: KEY });
});
afterAll(async () => {
  await api?.close();
});

const orders = defineSource({
  name: 'orders-check',
  baseUrl: 'https://orders.example.com',
  auth: { type: 'apiKey', in: 'query', name: 'key', secretKey: 'key' },
  streams: {
    orders: {
      path: '/v2/orders',
      records: 'results',
      paginator: { type: 'offset', limit: 3, totalPath: 'total' },
      primaryKey: 'id',
      incremental: { cursorField: 'updatedAt' },
      childTables: ['lines'],
    },
  },
});

describe('pnpm check: sample and columns', () => {
  it('masks the API key in the URLs and secret-looking values in the sample; previews child tables', async () => {
    const result = await checkSource({
      source: 'orders-check',
      definition: orders,
      env: { ORDERS_CHECK_API_BASE_URL: api.url, SECRET_NAME: SECRET },
    });
    const { output } = result;
    expect(result.exitCode, output).toBe(0);
    expect(output).not.toContain(KEY);
    expect(output).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v2\/orders\?.*key=\*\*\*/);
    expect(output).toMatch(
      /next: paginator offset state {"offset":3} → GET http:\/\/127\.0\.0\.1:\d+\/v2\/orders\?.*offset=3/,
    );
    expect(output).toContain('"client_secret": "***"');
    expect(output).toContain('"access_token": "***"');
    expect(output).not.toContain('cs_shown_nowhere_123');
    expect(output).not.toContain('tok_shown_nowhere_456');
    expect(output).toContain('"city": "Leeds"');
    expect(output).toContain('records path: "results" found: 3 records on the first page');
    expect(output).toMatch(
      /raw table raw_orders_check_orders: id bigint, updated_at string, customer string, access_token string, lines string, tags string/,
    );
    expect(output).toContain(
      'curated table orders_check_orders: id bigint, updated_at string, customer__name string, customer__client_secret string, customer__address__city string, access_token string, tags json (+ metadata columns)',
    );
    expect(output).toContain(
      'child table orders_check_orders__lines: _parent_id key, _index int, sku string, qty bigint, price__amount double',
    );
  });

  it('flattens to the depth the curate job does, names collisions by the rule, and keeps scalar arrays as value', () => {
    const preview = previewColumns(
      'casenotes-data',
      'notes',
      [
        { 'Case ID': 1, case_id: 2, a: { b: { c: { d: { e: { f: 1 } } } } }, codes: [1, 2], empty: {} },
        { 'Case ID': 3, case_id: 4, a: { b: { c: { d: { e: { f: 2 } } } } }, codes: [3] },
      ],
      { childTables: ['codes', 'missing'], primaryKey: ['Case ID'] },
    );
    expect(preview.curated.name).toBe('casenotes_data_notes');
    expect(preview.curated.columns.map((c) => `${c.name}:${c.path}:${c.type}`)).toEqual([
      'case_id:Case ID:bigint',
      'case_id_2:case_id:bigint',
      'a__b__c__d__e:a.b.c.d.e:json',
      'empty:empty:json',
    ]);
    expect(preview.children).toEqual([
      {
        name: 'casenotes_data_notes__codes',
        columns: [
          { name: '_parent_case_id', path: '(parent) case_id', type: 'key' },
          { name: '_index', path: '(element index)', type: 'int' },
          { name: 'value', path: '', type: 'bigint' },
        ],
      },
    ]);
    expect(preview.missingChildren).toEqual(['missing']);
    expect(preview.raw.map((c) => `${c.name}=${c.key}`)).toEqual([
      'case_id=Case ID',
      'case_id_2=case_id',
      'a=a',
      'codes=codes',
      'empty=empty',
    ]);
  });
});
