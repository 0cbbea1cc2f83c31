import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/index.ts';
import { getJson } from './helpers.ts';

describe('sandbox: Hotmart', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createSandbox({ records: 120, faults: false });
  });
  afterAll(() => sandbox.stop());

  async function token(basicAuth = true): Promise<Response> {
    const { client_id, client_secret } = sandbox.credentials.hotmart;
    const q = new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret });
    const headers: Record<string, string> = basicAuth
      ? { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}` }
      : {};
    return fetch(`${sandbox.tokenUrl}?${q}`, { method: 'POST', headers });
  }

  it('issues an access token for client credentials, refuses wrong ones', async () => {
    const res = await token();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: 'bearer', expires_in: 3600, access_token: /^hm_/ });
    const wrong = await fetch(
      `${sandbox.tokenUrl}?grant_type=client_credentials&client_id=x&client_secret=y`,
      {
        method: 'POST',
      },
    );
    expect(wrong.status).toBe(401);
  });

  it('walks sales history by page_token with a bearer token, in an epoch-ms window', async () => {
    // Prepare
    const { access_token } = (await (await token()).json()) as { access_token: string };
    const auth = { authorization: `Bearer ${access_token}` };
    expect((await getJson(`${sandbox.url}/payments/api/v1/sales/history`)).status).toBe(401);
    const dates = sandbox
      .records('hotmart', 'sales_history')
      .map((s) => (s.purchase as { order_date: number }).order_date);
    const [start, end] = [dates[20]!, dates[99]!];
    // Act
    const seen: Array<{ purchase: { transaction: string; order_date: number; price: { value: number } } }> =
      [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams({ max_results: '25', start_date: String(start), end_date: String(end) });
      if (pageToken) q.set('page_token', pageToken);
      const res = await getJson(`${sandbox.url}/payments/api/v1/sales/history?${q}`, auth);
      const body = res.body as {
        items: typeof seen;
        page_info: { next_page_token?: string; total_results: number };
      };
      expect(body.page_info.total_results).toBe(80);
      seen.push(...body.items);
      pageToken = body.page_info.next_page_token;
      pages++;
    } while (pageToken);
    // Assess
    expect(pages).toBe(4);
    expect(seen).toHaveLength(80);
    expect(seen.every((s) => s.purchase.order_date >= start && s.purchase.order_date <= end)).toBe(true);
    expect(seen[0]?.purchase.price.value).toEqual(expect.any(Number));
    expect(sandbox.served().hotmart?.streams.sales_history?.unique).toBe(80);
  });

  it('refuses an expired token', async () => {
    const short = await createSandbox({ records: 5, faults: false, hotmartTokenTtlSeconds: 1 });
    try {
      const { client_id, client_secret } = short.credentials.hotmart;
      const q = new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret });
      const res = await fetch(`${short.tokenUrl}?${q}`, { method: 'POST' });
      const { access_token } = (await res.json()) as { access_token: string };
      const auth = { authorization: `Bearer ${access_token}` };
      expect((await getJson(`${short.url}/payments/api/v1/subscriptions`, auth)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await getJson(`${short.url}/payments/api/v1/subscriptions`, auth);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: 'invalid_token' });
    } finally {
      await short.stop();
    }
  });

  it("answers a 429 with Hotmart's RateLimit-* headers, from the source's own double (functions/hotmart/double)", async () => {
    const limited = await createSandbox({
      records: 5,
      faults: { rateLimited: 1, unavailable: 0, retryAfterSeconds: 2 },
    });
    try {
      const { client_id, client_secret } = limited.credentials.hotmart;
      const q = new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret });
      const res = await fetch(`${limited.tokenUrl}?${q}`, { method: 'POST' });
      const { access_token } = (await res.json()) as { access_token: string };
      const refused = await getJson(`${limited.url}/payments/api/v1/subscriptions`, {
        authorization: `Bearer ${access_token}`,
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('ratelimit-reset')).toBe('2');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('retry-after')).toBe('2');
    } finally {
      await limited.stop();
    }
  });
});
