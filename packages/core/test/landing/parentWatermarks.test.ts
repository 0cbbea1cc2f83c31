/**
 * ➕ The rules of state per parent, without I/O: where a parent's walk reads from, and what a
 * committed run makes of the state (only walks that ended move, only forward; the cap drops the
 * parents walked longest ago into the floor, the least of their watermarks; a rerun keeps `read`).
 */
import { describe, expect, it } from 'vitest';
import {
  commitParents,
  type ParentWatermarks,
  parentSince,
  type WalkSeen,
} from '../../src/landing/parentWatermarks.ts';

const T = (day: number) => new Date(Date.UTC(2026, 10, day)).toISOString();
const ended = (maxCursor: string | null, since: string | null = null): WalkSeen => ({
  since,
  maxCursor,
  ended: true,
});

describe('parentSince', () => {
  const state: ParentWatermarks = { entries: [['a', T(5)]], floor: null, read: [['a', T(2)]] };
  const options = { rerun: false, lookbackSeconds: 3600, initialSince: T(1) };

  it('reads a parent from its own watermark less the lookback, a new one from initialSince', () => {
    const since = parentSince(state, options);
    expect(since('a')).toEqual(new Date(Date.parse(T(5)) - 3600_000));
    expect(since('new')).toEqual(new Date(T(1)));
    expect(parentSince(undefined, { ...options, initialSince: undefined })('new')).toBeUndefined();
  });

  it('reads a parent without an entry from the floor once one was dropped', () => {
    const since = parentSince({ ...state, floor: T(3) }, { ...options, lookbackSeconds: 0 });
    expect(since('dropped')).toEqual(new Date(T(3)));
  });

  it('on a rerun reads what the run read, and from initialSince what it did not record', () => {
    const since = parentSince(state, { ...options, rerun: true });
    expect(since('a')).toEqual(new Date(T(2)));
    expect(since('other')).toEqual(new Date(T(1)));
    expect(parentSince({ ...state, read: [['a', null]] }, { ...options, rerun: true })('a')).toBeUndefined();
  });
});

describe('commitParents', () => {
  const CAP1 = { maxParents: 1, rerun: false, initialSince: undefined };

  it('moves only walks that ended, only forward, the walked ones to the end', () => {
    const before: ParentWatermarks = {
      entries: [
        ['a', T(5)],
        ['b', T(6)],
        ['c', T(7)],
      ],
      floor: null,
      read: [],
    };
    const seen = new Map<string, WalkSeen>([
      ['a', ended(T(9), T(5))],
      ['b', { since: T(6), maxCursor: T(10), ended: false }],
      ['c', ended(T(4), T(7))],
      ['d', ended(null, null)],
    ]);
    expect(commitParents(before, seen, { maxParents: 10, rerun: false, initialSince: undefined })).toEqual({
      entries: [
        ['b', T(6)],
        ['a', T(9)],
        ['c', T(7)],
      ],
      floor: null,
      read: [
        ['a', T(5)],
        ['b', T(6)],
        ['c', T(7)],
        ['d', null],
      ],
    });
  });

  it('beyond the cap drops the parents walked longest ago, the floor the least of theirs and its own', () => {
    const seen = new Map<string, WalkSeen>([
      ['a', ended(T(8))],
      ['b', ended(T(3))],
      ['c', ended(T(9))],
    ]);
    const first = commitParents(undefined, seen, CAP1);
    expect(first).toMatchObject({ entries: [['c', T(9)]], floor: T(3) });
    expect(first.read).toHaveLength(1);
    const second = commitParents(first, new Map([['d', ended(T(2))]]), CAP1);
    expect(second).toMatchObject({ entries: [['d', T(2)]], floor: T(3) });
    const third = commitParents(second, new Map([['e', ended(T(12))]]), CAP1);
    expect(third).toMatchObject({ entries: [['e', T(12)]], floor: T(2) });
  });

  it('moves no parent whose walk started after its watermark (or, new, after initialSince): a backfill window leaves the gap unread', () => {
    const before: ParentWatermarks = { entries: [['a', T(5)]], floor: null, read: [] };
    const seen = new Map<string, WalkSeen>([
      ['a', ended(T(9), T(6))], // read from after its watermark: 5..6 unread
      ['b', ended(T(9), T(6))], // new, read from after initialSince (T(1))
      ['c', ended(T(9), T(1))], // new, read from initialSince
    ]);
    const after = commitParents(before, seen, { maxParents: 10, rerun: false, initialSince: T(1) });
    expect(after.entries).toEqual([
      ['a', T(5)],
      ['c', T(9)],
    ]);
  });

  it('on a rerun keeps what the run read', () => {
    const state: ParentWatermarks = { entries: [['a', T(5)]], floor: null, read: [['a', T(2)]] };
    expect(
      commitParents(state, new Map([['a', ended(T(5), T(2))]]), {
        maxParents: 10,
        rerun: true,
        initialSince: undefined,
      }),
    ).toEqual(state);
  });
});
