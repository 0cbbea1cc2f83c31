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

  it("answers Stripe's headers and 404 for an unknown URL, from the source's own double (functions/stripe/double)", async () => {
    const bad = await getJson(`${sandbox.url}/v1/charges`, { authorization: 'Bearer sk_test_wrong' });
    expect(bad.headers.get('stripe-should-retry')).toBe('false');
    expect(bad.headers.get('stripe-version')).toBe('2024-06-20');
    const unknown = await getJson(`${sandbox.url}/v1/refunds`, auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error: { type: 'invalid_request_error', message: 'Unrecognized request URL (GET: /v1/refunds).' },
    });
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

  it('lists the events of an advance, newest first, filtered by types[] or type, each carrying its object', async () => {
    // Prepare
    const before = await getJson(`${sandbox.url}/v1/events?limit=100`, auth);
    expect((before.body as { data: unknown[] }).data).toEqual([]); // the initial history has no events
    sandbox.advance();
    type Event = {
      id: string;
      object: string;
      type: string;
      created: number;
      data: { object: { id: string; object: string; status?: string } };
    };

    // Act
    const paid = await getJson(
      `${sandbox.url}/v1/events?limit=100&types[]=invoice.paid&types[]=invoice.created`,
      auth,
    );
    const charges = await getJson(`${sandbox.url}/v1/events?limit=100&type=charge.*`, auth);
    const both = await getJson(`${sandbox.url}/v1/events?type=charge.*&types[]=invoice.paid`, auth);

    // Assess
    const invoiceEvents = (paid.body as { data: Event[] }).data;
    expect(invoiceEvents.length).toBeGreaterThan(0);
    for (const e of invoiceEvents) {
      expect(e).toMatchObject({ object: 'event', data: { object: { object: 'invoice' } } });
      expect(['invoice.paid', 'invoice.created']).toContain(e.type);
      if (e.type === 'invoice.paid') {
        expect(e.data.object.status).toBe('paid');
        // the list shows the object as the latest event left it
        const listed = sandbox.records('stripe', 'invoices').find((o) => o.id === e.data.object.id);
        expect(listed?.status).toBe('paid');
      }
    }
    const created = invoiceEvents.map((e) => e.created);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    const chargeTypes = new Set((charges.body as { data: Event[] }).data.map((e) => e.type));
    expect([...chargeTypes].sort()).toEqual(['charge.refunded', 'charge.succeeded']);
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ error: { type: 'invalid_request_error', param: 'types' } });
    const since = Math.max(...created);
    const later = await getJson(
      `${sandbox.url}/v1/events?limit=100&type=invoice.*&created[gt]=${since}`,
      auth,
    );
    expect((later.body as { data: unknown[] }).data).toEqual([]);
  });

  it('answers an unknown starting_after with resource_missing', async () => {
    const res = await getJson(`${sandbox.url}/v1/customers?starting_after=cus_nope`, auth);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'resource_missing', param: 'starting_after' } });
  });
});
