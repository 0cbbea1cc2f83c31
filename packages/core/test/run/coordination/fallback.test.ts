/**
 * When the coordination store cannot be reached, a credential's shared budget falls back to a
 * conservative share (requestsPerSecond ÷ FALLBACK_PROCESSES) and says so once in the log; asserted
 * at a strict server that allows only that share.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort, startApi, strictWindow } from '@tributary/testkit';
import { afterEach, expect, test } from 'vitest';
import { defineSource } from '../../../src/definition/defineSource.ts';
import { createReader } from '../../../src/http/createReader.ts';
import { FALLBACK_PROCESSES } from '../../../src/http/ratelimit/SharedRateLimiter.ts';
import { dynamoCoordinationStore } from '../../../src/run/coordination/dynamoCoordinationStore.ts';
import { capture, FAST_RETRY, ids, readAll } from '../../http/support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const RATE = 10;
const PAGES = 2;

test(`an unreachable store: one warning, and ${RATE} ÷ ${FALLBACK_PROCESSES} requests per second from this process`, async () => {
  // Prepare: a server allowing the fallback share only (1 request in any 1 s window); a store on a closed port
  const server = strictWindow(
    (req) => {
      const p = Number(req.query.get('page'));
      return { body: p <= PAGES ? [{ id: `p${p}` }] : [] };
    },
    { limit: RATE / FALLBACK_PROCESSES, windowMs: 1000 },
  );
  const api = await startApi(server.route);
  closers.push(api.close);
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 });
  closers.push(async () => client.destroy());
  const source = defineSource({
    name: 'fallback-test',
    baseUrl: 'https://x.example',
    rateLimit: { requestsPerSecond: RATE, concurrency: 2, scope: 'credential' },
    retry: FAST_RETRY,
    streams: { s: { path: '/s', paginator: { type: 'page' } } },
  });
  const seen = capture();
  const read = createReader(source, {
    baseUrl: api.url,
    coordination: dynamoCoordinationStore({ table: 'coordination', source: source.name, client }),
    logger: seen.logger,
    observer: seen.observer,
  });

  // Act
  const pages = await readAll(read, 's');

  // Assess: all read, nothing refused, never more than the share in a window; the warning once
  expect(ids(pages)).toEqual(['p1', 'p2']);
  expect(server.arrivals).toHaveLength(PAGES + 1);
  expect(server.refused()).toBe(0);
  expect(server.mostInWindow()).toBe(1);
  const warnings = seen.lines
    .map((l) => JSON.parse(l) as { level: string; message: string })
    .filter((l) => l.level === 'warn' && l.message.startsWith('shared rate budget unavailable'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.message).toContain(`${RATE / FALLBACK_PROCESSES} requests per second`);
});

test("scope 'credential' without a store keeps to the share from the first request, and says so", async () => {
  const server = strictWindow(() => ({ body: [] }), { limit: 1, windowMs: 1000 });
  const api = await startApi(server.route);
  closers.push(api.close);
  const source = defineSource({
    name: 'fallback-test',
    baseUrl: 'https://x.example',
    rateLimit: { requestsPerSecond: RATE, scope: 'credential' },
    retry: FAST_RETRY,
    streams: { a: { path: '/a' }, b: { path: '/b' } },
  });
  const seen = capture();
  const read = createReader(source, { baseUrl: api.url, logger: seen.logger });
  await Promise.all([readAll(read, 'a'), readAll(read, 'b')]);
  expect(server.arrivals).toHaveLength(2);
  expect(server.refused()).toBe(0);
  const warnings = seen.lines
    .map((l) => JSON.parse(l) as { level: string; message: string })
    .filter((l) => l.level === 'warn' && l.message.startsWith('shared rate budget unavailable'));
  expect(warnings).toHaveLength(1);
  expect(seen.text()).toContain('COORDINATION_TABLE is not set');
});
