/**
 * One process of the shared-budget test (sharedBudget.test.ts): reads stream `s` of a source whose
 * `rateLimit` is shared per credential through the coordination store on moto, against the strict
 * loopback server at `API_URL`, and prints `{"records": n}` (or the error) as its last line. It
 * starts reading when the test writes a line to its stdin, after it printed `ready` (its Node, core
 * and AWS clients loaded), so that the 8 processes read at once, not as each finishes starting.
 * Env: API_URL, TABLE, SECRET, WORKER, RATE; AWS_* from the test (moto).
 */

import { defineSource } from '../../../src/definition/defineSource.ts';
import { createReader } from '../../../src/http/createReader.ts';
import { dynamoCoordinationStore } from '../../../src/run/coordination/dynamoCoordinationStore.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const source = defineSource({
  name: 'budget-test',
  baseUrl: 'https://x.example',
  auth: { type: 'bearer', secretKey: 'token' },
  rateLimit: { requestsPerSecond: Number(env('RATE')), concurrency: 2, scope: 'credential' },
  retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxTotalWaitMs: 10_000 },
  streams: { s: { path: `/w${env('WORKER')}`, paginator: { type: 'page' } } },
});
const warnings: string[] = [];
const logger = {
  debug() {},
  info() {},
  warn(message: string) {
    warnings.push(message);
  },
};
const coordination = dynamoCoordinationStore({ table: env('TABLE'), source: source.name });
const read = createReader(source, {
  baseUrl: env('API_URL'),
  secretName: env('SECRET'),
  coordination,
  logger,
});
await coordination.get('warm-up'); // the client's connection, before the clock that counts starts
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();
try {
  let records = 0;
  for await (const page of read('s', { window: { until: new Date('2026-11-23T00:00:00Z') } }))
    records += page.records.length;
  console.log(JSON.stringify({ records, warnings }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error), warnings }));
  process.exitCode = 1;
}
