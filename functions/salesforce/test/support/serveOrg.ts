/**
 * The Salesforce double on loopback for the double's own tests (double.test.ts, oauth.test.ts): one
 * org per test, closed after it.
 */
import { type LoopbackApi, startApi } from '@tributary/testkit';
import { afterEach } from 'vitest';
import { makeRecords, SalesforceOrg, type SalesforceOrgOptions, SECRET } from '../../double/index.ts';

export const V = '/services/data/v62.0';
let api: LoopbackApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** The org served on loopback, and a client of it: a token, an authorized call, a query job created. */
export async function serve(options: Partial<SalesforceOrgOptions> = {}) {
  const org = new SalesforceOrg({ records: makeRecords(25), ...options });
  api = await startApi(org.route());
  const url = api.url;
  const token = async (form: Record<string, string> = { grant_type: 'client_credentials', ...SECRET }) => {
    const res = await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const call = async (path: string, init: RequestInit & { json?: unknown } = {}, bearer?: string) => {
    const access = bearer ?? (await token()).body.access_token;
    const res = await fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', ...init.headers },
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: type.includes('json') && text ? JSON.parse(text) : undefined,
    };
  };
  const createJob = (query: string, extra: Record<string, unknown> = {}, bearer?: string) =>
    call(`${V}/jobs/query`, { method: 'POST', json: { operation: 'query', query, ...extra } }, bearer);
  return { org, url, token, call, createJob };
}
