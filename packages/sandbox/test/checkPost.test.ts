/**
 * `pnpm check` on a stream that pages through a POST body (HubSpot's CRM search): the request shown
 * is the POST, and the next request is a POST carrying the paginator's state, not a GET.
 */
import { defineSource } from '@tributary/core';
import { type LoopbackApi, startApi } from '@tributary/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkSource } from '../src/local/index.ts';

let api: LoopbackApi;
beforeAll(async () => {
  api = await startApi((req) => {
    if (req.method !== 'POST' || req.path !== '/crm/v3/objects/contacts/search')
      return { status: 405, body: { message: 'POST only' } };
    const { after } = JSON.parse(req.body) as { after?: string };
    const start = Number(after ?? 0);
    return {
      body: {
        results: [{ id: String(start + 1) }, { id: String(start + 2) }],
        paging: { next: { after: String(start + 2) } },
      },
    };
  });
});
afterAll(async () => {
  await api?.close();
});

const crm = defineSource({
  name: 'crm-check',
  baseUrl: 'https://crm.example.com',
  streams: {
    contacts: {
      path: '/crm/v3/objects/contacts/search',
      request: { type: 'json', method: 'POST', body: { limit: 2 }, retrySafe: true },
      records: 'results',
      paginator: { type: 'cursor', in: 'body', param: 'after', cursorPath: 'paging.next.after' },
      primaryKey: 'id',
    },
  },
});

it('shows the POST it sends, and the next request as a POST with the cursor from the state', async () => {
  const result = await checkSource({
    source: 'crm-check',
    definition: crm,
    env: { CRM_CHECK_API_BASE_URL: api.url },
  });
  expect(result.exitCode, result.output).toBe(0);
  expect(result.output).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/crm\/v3\/objects\/contacts\/search/);
  expect(result.output).toMatch(
    /next: paginator cursor state {"cursor":"2"} → POST \(body values as the state\) http:\/\/127\.0\.0\.1:\d+\/crm/,
  );
  expect(api.requests.map((r) => r.method)).toEqual(['POST']);
});
