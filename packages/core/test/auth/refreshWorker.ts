/**
 * One process of the refresh tests (oauth2RefreshToken.test.ts): a source with auth
 * `oauth2RefreshToken` reads stream `items` from the loopback API at `API_URL`, its refresh token in
 * the secret `SECRET` on moto, its lease in the coordination table `TABLE` (absent: coordination
 * off). It prints `ready` once loaded, starts when the test writes a line to its stdin (so that all
 * processes refresh at once), then prints each log line as JSON and, last, `{"records": n}` or
 * `{"error": name, "message": …}`. Env: API_URL, SECRET, TABLE?, LEASE_SECONDS?; AWS_* (moto).
 */

import { defineSource } from '../../src/definition/defineSource.ts';
import { createReader } from '../../src/http/createReader.ts';
import { dynamoCoordinationStore } from '../../src/run/coordination/dynamoCoordinationStore.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const source = defineSource({
  name: 'refresh-test',
  baseUrl: 'https://api.example.com',
  auth: {
    type: 'oauth2RefreshToken',
    tokenUrl: '/connect/token',
    clientIdKey: 'client_id',
    clientSecretKey: 'client_secret',
    refreshTokenKey: 'refresh_token',
    leaseSeconds: Number(process.env.LEASE_SECONDS ?? 30),
  },
  retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxTotalWaitMs: 5_000 },
  streams: { items: { path: '/items' } },
});
const log =
  (level: string) =>
  (message: string, ...extra: Record<string, unknown>[]) =>
    console.log(JSON.stringify({ level, message, extra }));
const coordination = process.env.TABLE
  ? dynamoCoordinationStore({ table: process.env.TABLE, source: source.name })
  : undefined;
const read = createReader(source, {
  baseUrl: env('API_URL'),
  secretName: env('SECRET'),
  coordination,
  logger: { debug: log('debug'), info: log('info'), warn: log('warn') },
});
await coordination?.get('warm-up');
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();
try {
  let records = 0;
  for await (const page of read('items', { window: { until: new Date('2026-11-23T00:00:00Z') } }))
    records += page.records.length;
  console.log(JSON.stringify({ records }));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).name, message: (error as Error).message }));
  process.exitCode = 1;
}
