/**
 * A pause one process learns holds the other processes of the credential: two SharedRateLimiters
 * (each as a separate Lambda would hold it) over one item in the coordination store on moto.
 */
import { expect, test } from 'vitest';
import { SharedRateLimiter } from '../../../src/http/ratelimit/SharedRateLimiter.ts';
import { dynamoCoordinationStore } from '../../../src/run/coordination/dynamoCoordinationStore.ts';
import { capture } from '../../http/support.ts';
import { coordinationTable } from './support.ts';

test('a pause written by one limiter holds the next grant of another until it ends, and no warning is logged', async () => {
  // Prepare
  const table = await coordinationTable('pause');
  const seen = capture();
  const limiter = () =>
    new SharedRateLimiter({
      store: dynamoCoordinationStore({ table, source: 'pause-test' }),
      credential: 'api-credentials/pause-test',
      requestsPerSecond: 20,
      concurrency: 2,
      logger: seen.logger,
    });
  const a = limiter();
  const b = limiter();
  (await a.acquire())();
  (await b.acquire())();

  // Act: a learns a pause; b asks after the store has it
  const until = Date.now() + 600;
  a.pauseUntil(until);
  const store = dynamoCoordinationStore({ table, source: 'pause-test' });
  for (
    let i = 0;
    i < 50 && (await store.get('rate#api-credentials/pause-test'))?.values.pausedUntil !== until;
    i++
  );
  const release = await b.acquire();

  // Assess: b started no earlier than the pause's end; the item holds it; the store answered throughout
  expect(Date.now()).toBeGreaterThanOrEqual(until);
  release();
  const item = await store.get('rate#api-credentials/pause-test');
  expect(item?.values.pausedUntil).toBe(until);
  expect(item?.expiresAt).toBeGreaterThan(until / 1000);
  expect(b.fallingBack).toBe(false);
  expect(seen.lines.filter((l) => l.includes('"warn"'))).toEqual([]);
});
