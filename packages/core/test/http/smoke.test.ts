import { startApi } from '@tributary/testkit';
import { expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { createReader } from '../../src/http/createReader.ts';
import { capture, ids, readAll } from './support.ts';

test('reads offset pages from a loopback API', async () => {
  const api = await startApi({
    '/items': (req) => {
      const offset = Number(req.query.get('offset'));
      const all = Array.from({ length: 25 }, (_, i) => ({ id: i + 1 }));
      return { body: { data: all.slice(offset, offset + 10) }, gzip: true };
    },
  });
  try {
    const source = defineSource({
      name: 'smoke',
      baseUrl: 'https://example.invalid',
      streams: { items: { path: '/items', records: 'data', paginator: { type: 'offset', limit: 10 } } },
    });
    const c = capture();
    const pages = await readAll(createReader(source, { baseUrl: api.url, logger: c.logger }), 'items');
    expect(ids(pages)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(pages.map((p) => p.next)).toEqual([
      { w: 0, s: { offset: 10 }, n: 1 },
      { w: 0, s: { offset: 20 }, n: 2 },
      null,
    ]);
    expect(api.requests[0]!.headers['user-agent']).toBe('tributary/0.1.0 (+smoke)');
  } finally {
    await api.close();
  }
});
