/** The limiter's bookkeeping, without the network: order, release, abort. */
import { expect, test } from 'vitest';
import { PauseTooLong, RateLimiter } from '../../../src/http/ratelimit/RateLimiter.ts';

test('slots are granted in arrival order as they are released', async () => {
  const limiter = new RateLimiter({ concurrency: 1 });
  const order: number[] = [];
  const first = await limiter.acquire();
  const waiting = [1, 2, 3].map((n) =>
    limiter.acquire().then((release) => {
      order.push(n);
      return release;
    }),
  );
  expect(order).toEqual([]);
  first();
  (await waiting[0]!)();
  (await waiting[1]!)();
  (await waiting[2]!)();
  expect(order).toEqual([1, 2, 3]);
});

test('an aborted waiter gives up its place and never takes a slot', async () => {
  const limiter = new RateLimiter({ concurrency: 1 });
  const held = await limiter.acquire();
  const controller = new AbortController();
  const aborted = limiter.acquire(controller.signal);
  const next = limiter.acquire();
  controller.abort(new Error('stop'));
  await expect(aborted).rejects.toThrow('stop');
  held();
  const release = await next; // granted: the aborted waiter did not keep the slot
  release();
  release(); // a second release is a no-op
  const again = await limiter.acquire();
  again();
});

test('a pause holds every start until it ends', async () => {
  const limiter = new RateLimiter({ concurrency: 4 });
  const until = Date.now() + 150;
  limiter.pauseUntil(until);
  const release = await limiter.acquire();
  expect(Date.now()).toBeGreaterThanOrEqual(until);
  release();
});

test('a pause set while a request waits for its spaced start holds it too', async () => {
  const limiter = new RateLimiter({ concurrency: 4, requestsPerSecond: 10 });
  (await limiter.acquire())();
  const waiting = limiter.acquire(); // its start is one interval away
  const until = Date.now() + 300;
  limiter.pauseUntil(until);
  const release = await waiting;
  expect(Date.now()).toBeGreaterThanOrEqual(until);
  release();
});

test('a pause longer than a request may wait rejects it at once, and frees its slot', async () => {
  const limiter = new RateLimiter({ concurrency: 1 });
  limiter.pauseUntil(Date.now() + 3_600_000);
  const error = await limiter.acquire(undefined, { maxPauseMs: 1000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PauseTooLong);
  expect((error as PauseTooLong).maxPauseMs).toBe(1000);
  // the only slot is free again: the next request reaches the pause check instead of queueing forever
  await expect(limiter.acquire(undefined, { maxPauseMs: 1000 })).rejects.toBeInstanceOf(PauseTooLong);
});
