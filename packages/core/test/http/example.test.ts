/**
 * The whole HTTP layer through one short definition of a paginated, authenticated, incremental
 * API with a child stream, against a loopback API and the secret in Secrets Manager (moto).
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startApi } from '@tributary/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { ApiRecord } from '../../src/http/readTypes.ts';
import { capture, readAll } from './support.ts';

// The definition: ~20 lines describe the API.
const crm = defineSource({
  name: 'acme-crm',
  baseUrl: 'https://api.acme.example/v2',
  auth: { type: 'bearer', secretKey: 'token' },
  rateLimit: { requestsPerSecond: 50, concurrency: 2 },
  streams: {
    contacts: {
      path: '/contacts',
      params: { limit: 3 },
      records: 'data.items',
      paginator: { type: 'cursor', param: 'after', cursorPath: 'data.next', hasMorePath: 'data.has_more' },
      primaryKey: 'id',
      incremental: { cursorField: 'updated_at', params: { updated_since: '{since}' } },
    },
    notes: {
      path: '/contacts/{parent.id}/notes',
      paginator: { type: 'page', size: 2, sizeParam: 'per_page' },
      parent: { stream: 'contacts', carry: { contact_id: 'id' } },
    },
  },
});

const TOKEN = 'crm_TOKEN_abcdef123456';
const contacts = Array.from({ length: 8 }, (_, i) => ({
  id: `c${i + 1}`,
  name: `Contact ${i + 1}`,
  updated_at: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(),
}));
const notes: Record<string, { id: number; text: string }[]> = {
  c2: [1, 2, 3].map((id) => ({ id, text: `note ${id}` })),
};

let api: Awaited<ReturnType<typeof startApi>>;
const secretName = `api-credentials/acme-crm-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  await new SecretsManagerClient({}).send(
    new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ token: TOKEN }) }),
  );
  api = await startApi((req) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return { status: 401, body: { error: 'unauthorized' } };
    if (req.path === '/v2/contacts') {
      const since = req.query.get('updated_since') ?? '';
      const after = req.query.get('after');
      const matching = contacts.filter((c) => Date.parse(c.updated_at) >= Date.parse(since || '1970-01-01'));
      const start = after ? matching.findIndex((c) => c.id === after) + 1 : 0;
      const items = matching.slice(start, start + Number(req.query.get('limit')));
      const more = start + items.length < matching.length;
      return { body: { data: { items, has_more: more, next: more ? items.at(-1)!.id : null } } };
    }
    const id = req.path.split('/')[3]!;
    const p = Number(req.query.get('page'));
    return { body: (notes[id] ?? []).slice((p - 1) * 2, p * 2) };
  });
});
afterAll(() => api.close());

test('a paginated, authenticated, incremental API with a child stream, read end to end', async () => {
  const c = capture();
  const read = createReader(crm, {
    baseUrl: `${api.url}/v2`,
    secretName,
    logger: c.logger,
    observer: c.observer,
  });
  const window = { since: new Date('2026-11-03T00:00:00Z'), until: new Date('2026-11-23T00:00:00Z') };

  const pages = await readAll(read, 'contacts', { window });
  const landed = pages.flatMap((p) => p.records);
  expect(landed.map((r) => r.id)).toEqual(['c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
  expect(pages.map((p) => p.maxCursor)).toEqual(['2026-11-05T00:00:00.000Z', '2026-11-08T00:00:00.000Z']);
  expect(pages.at(-1)!.next).toBeNull();
  expect(api.requests[0]!.query.get('updated_since')).toBe('2026-11-03T00:00:00Z');

  async function* parents(): AsyncIterable<ApiRecord> {
    yield { id: 'c1' };
    yield { id: 'c2' };
  }
  const notePages = await readAll(read, 'notes', { window, parents });
  expect(notePages.flatMap((p) => p.records)).toEqual([
    { id: 1, text: 'note 1', contact_id: 'c2' },
    { id: 2, text: 'note 2', contact_id: 'c2' },
    { id: 3, text: 'note 3', contact_id: 'c2' },
  ]);
  expect(c.text()).not.toContain(TOKEN);
});
