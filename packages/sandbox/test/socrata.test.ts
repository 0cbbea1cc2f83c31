import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/index.ts';
import { getJson } from './helpers.ts';

describe('sandbox: Socrata', () => {
  let sandbox: Sandbox;
  let resource: string;

  beforeAll(async () => {
    sandbox = await createSandbox({ records: 150, faults: false, socrataDatasets: ['erm2-nwe9'] });
    resource = `${sandbox.url}/resource/erm2-nwe9.json`;
  });
  afterAll(() => sandbox.stop());

  it('hides system fields unless $select asks for them; numbers come as strings', async () => {
    const plain = (await getJson(`${resource}?$limit=1`)).body as Array<Record<string, unknown>>;
    expect(Object.keys(plain[0]!).some((k) => k.startsWith(':'))).toBe(false);
    const full = (await getJson(`${resource}?$limit=1&$select=${encodeURIComponent(':*, *')}`)).body as Array<
      Record<string, unknown>
    >;
    expect(full[0]).toMatchObject({ ':id': expect.any(String), ':updated_at': expect.any(String) });
    expect(typeof full[0]?.latitude).toBe('string');
  });

  it("answers with SODA's headers, from the source's own double (functions/socrata/double)", async () => {
    const res = await getJson(`${resource}?$limit=1&$select=${encodeURIComponent(':*, *')}`);
    const fields = JSON.parse(res.headers.get('x-soda2-fields') ?? '[]') as string[];
    const types = JSON.parse(res.headers.get('x-soda2-types') ?? '[]') as string[];
    expect(fields).toContain(':updated_at');
    expect(types[fields.indexOf(':updated_at')]).toBe('meta_data');
    expect(types[fields.indexOf('created_date')]).toBe('floating_timestamp');
    expect(res.headers.get('x-socrata-requestid')).toMatch(/\S/);
  });

  it('pages with $limit/$offset in :id order and filters with $where on :updated_at', async () => {
    // Prepare
    const rows = sandbox.records('socrata', 'dataset_erm2_nwe9');
    const cut = (rows.map((r) => r[':updated_at'] as string).sort()[99] as string).replace('Z', '');
    const ids: string[] = [];
    // Act
    for (let offset = 0; ; offset += 20) {
      const q = new URLSearchParams({
        $select: ':*, *',
        $order: ':id',
        $limit: '20',
        $offset: String(offset),
        $where: `:updated_at > '${cut}'`,
      });
      const page = (await getJson(`${resource}?${q}`)).body as Array<Record<string, string>>;
      ids.push(...page.map((r) => r[':id']!));
      if (page.length < 20) break;
    }
    // Assess
    expect(ids).toHaveLength(50);
    expect([...ids].sort()).toEqual(ids);
    const served = sandbox.servedKeys('socrata', 'dataset_erm2_nwe9');
    expect(ids.every((id) => served.has(id))).toBe(true);
  });

  it('accepts no app token or the right one, refuses a wrong one; rejects malformed SoQL', async () => {
    const token = { 'x-app-token': sandbox.credentials.socrata.app_token };
    expect((await getJson(`${resource}?$limit=1`, token)).status).toBe(200);
    const wrong = await getJson(`${resource}?$limit=1`, { 'x-app-token': 'nope' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ code: 'invalid_app_token' });
    const bad = await getJson(`${resource}?$where=${encodeURIComponent('updated_at is recent')}`);
    expect(bad.status).toBe(400);
    expect((await getJson(`${sandbox.url}/resource/zzzz-zzzz.json`)).status).toBe(404);
  });
});
