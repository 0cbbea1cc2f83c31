import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/index.ts';
import { getJson } from './helpers.ts';

describe('sandbox: Stripe', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;

  beforeAll(async () => {
    sandbox = await createSandbox({ records: 230, faults: false });
    auth = { authorization: `Bearer ${sandbox.credentials.stripe.api_key}` };
  });
  afterAll(() => sandbox.stop());

  it('refuses a wrong key with Stripe’s error object, and takes the key as basic-auth user too', async () => {
    const bad = await getJson(`${sandbox.url}/v1/charges`, { authorization: 'Bearer sk_test_wrong' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { type: 'invalid_request_error' } });
    const basic = `Basic ${Buffer.from(`${sandbox.credentials.stripe.api_key}:`).toString('base64')}`;
    expect((await getJson(`${sandbox.url}/v1/charges?limit=1`, { authorization: basic })).status).toBe(200);
  });

  it('lists newest first, page by page with starting_after and has_more', async () => {
    // Prepare
    const seen: Array<{ id: string; created: number }> = [];
    let after: string | undefined;
    let pages = 0;
    // Act
    for (;;) {
      const q = after ? `&starting_after=${after}` : '';
      const res = await getJson(`${sandbox.url}/v1/charges?limit=100${q}`, auth);
      const body = res.body as {
        object: string;
        data: Array<{ id: string; created: number }>;
        has_more: boolean;
      };
      expect(body.object).toBe('list');
      expect(res.headers.get('request-id')).toMatch(/^req_/);
      seen.push(...body.data);
      pages++;
      if (!body.has_more) break;
      after = body.data.at(-1)?.id;
    }
    // Assess
    expect(pages).toBe(3);
    expect(new Set(seen.map((c) => c.id)).size).toBe(230);
    const created = seen.map((c) => c.created);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect(sandbox.served().stripe?.streams.charges?.unique).toBe(230);
  });

  it('filters on created[gte] and created[lt]', async () => {
    const all = sandbox
      .records('stripe', 'invoices')
      .map((o) => o.created as number)
      .sort((a, b) => a - b);
    const from = all[100]!;
    const to = all[150]!;
    const res = await getJson(
      `${sandbox.url}/v1/invoices?limit=100&created[gte]=${from}&created[lt]=${to}`,
      auth,
    );
    const data = (res.body as { data: Array<{ created: number; lines: { data: unknown[] } }> }).data;
    expect(data.length).toBe(all.filter((c) => c >= from && c < to).length);
    expect(data[0]?.lines.data.length).toBe(1);
  });

  it('answers an unknown starting_after with resource_missing', async () => {
    const res = await getJson(`${sandbox.url}/v1/customers?starting_after=cus_nope`, auth);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'resource_missing', param: 'starting_after' } });
  });
});
