import { describe, expect, it } from 'vitest';
import { SlidingWindowLimit } from '../api/slidingWindow.ts';

describe('SlidingWindowLimit', () => {
  it('admits `limit` requests in a window and refuses the next, saying when a slot frees up', () => {
    const w = new SlidingWindowLimit(3, 1000);
    expect([0, 100, 200].map((t) => w.admit(t).ok)).toEqual([true, true, true]);
    expect(w.admit(999)).toEqual({ ok: false, retryAfterMs: 1 });
    expect(w.admit(1000)).toEqual({ ok: true });
    expect(w.admit(1050)).toEqual({ ok: false, retryAfterMs: 50 });
    expect(w.maxInWindow).toBe(3);
  });

  it('slides: any window, not one aligned to the second, holds at most `limit`', () => {
    const w = new SlidingWindowLimit(2, 1000);
    expect(w.admit(900).ok).toBe(true);
    expect(w.admit(1100).ok).toBe(true);
    // A fixed window [1000, 2000) would admit this one; the sliding window (900..1900] is full.
    expect(w.admit(1800)).toEqual({ ok: false, retryAfterMs: 100 });
    expect(w.admit(1900).ok).toBe(true);
  });

  it('does not count refused requests', () => {
    const w = new SlidingWindowLimit(1, 1000);
    expect(w.admit(0).ok).toBe(true);
    for (let t = 1; t < 1000; t += 100) expect(w.admit(t).ok).toBe(false);
    expect(w.admit(1000).ok).toBe(true);
  });

  it('rejects a limit or window that is not positive', () => {
    expect(() => new SlidingWindowLimit(0, 1000)).toThrow(RangeError);
    expect(() => new SlidingWindowLimit(1, 0)).toThrow(RangeError);
  });
});
