/** The shared budget's arithmetic (GCRA with a burst of one), pure. */
import { expect, test } from 'vitest';
import { EMPTY_BUDGET, fallbackRate, grant, pause } from '../../../src/http/ratelimit/gcra.ts';

test('an idle credential grants a start one lead from now, and moves the arrival time one interval on', () => {
  expect(grant(EMPTY_BUDGET, 10_000, 105, 25)).toEqual({
    start: 10_025,
    next: { tat: 10_130, pausedUntil: 0 },
  });
});

test('grants asked for at the same instant are one interval apart, in the order their writes land', () => {
  let state = EMPTY_BUDGET;
  const starts: number[] = [];
  for (let i = 0; i < 4; i++) {
    const g = grant(state, 1000, 100, 0);
    starts.push(g.start);
    state = g.next;
  }
  expect(starts).toEqual([1000, 1100, 1200, 1300]);
  // N + 1 consecutive grants span N intervals: never N + 1 in a window shorter than that
  expect(starts.at(-1)! - starts[0]!).toBe(3 * 100);
});

test('a credential idle for longer than an interval saves no burst: the next start is now, not in the past', () => {
  const g = grant({ tat: 500, pausedUntil: 0 }, 10_000, 100, 0);
  expect(g.start).toBe(10_000);
  expect(g.next.tat).toBe(10_100);
});

test('a pause holds every later grant until it ends, then they resume one interval apart', () => {
  const paused = pause({ tat: 1100, pausedUntil: 0 }, 5000);
  expect(paused).toEqual({ tat: 5000, pausedUntil: 5000 });
  const first = grant(paused, 1200, 100, 0);
  expect(first.start).toBe(5000);
  expect(grant(first.next, 1200, 100, 0).start).toBe(5100);
  // a shorter pause than the one in force changes nothing
  expect(pause(paused, 3000)).toEqual(paused);
});

test('the fallback share divides the rate by the processes assumed', () => {
  expect(fallbackRate(10, 10)).toBe(1);
  expect(fallbackRate(25, 10)).toBe(2.5);
  expect(fallbackRate(10, 0)).toBe(10);
});
