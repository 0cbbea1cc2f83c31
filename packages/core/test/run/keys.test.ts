/** Raw-zone keys and the stream plan: pure functions, no AWS. */
import { defineSource } from '@tributary/core';
import {
  importDateOf,
  manifestKey,
  newAttempt,
  partKey,
  runPrefix,
  stateKey,
} from '@tributary/core/raw-zone';
import { describe, expect, it } from 'vitest';
import { planStreams } from '../../src/run/planStreams.ts';

describe('importDateOf', () => {
  it.each([
    ['2026-11-23T06-00-00Z-3f9c', '20261123'],
    ['20261123T060000Z-x', '20261123'],
    ['2026-02-28-manual', '20260228'],
  ])('takes the date a runId starts with: %s → %s', (runId, date) => {
    expect(importDateOf(runId)).toBe(date);
  });

  it('falls back to the given start for runIds without a (valid) date, else undefined', () => {
    const start = new Date('2026-11-24T23:59:59Z');
    expect(importDateOf('d2a1b0c4-manual', start)).toBe('20261124');
    expect(importDateOf('2026-02-30-not-a-day', start)).toBe('20261124');
    expect(importDateOf('d2a1b0c4-manual')).toBeUndefined();
  });
});

describe('keys', () => {
  const at = { outputFolder: 'housing/casenotes-data', stream: 'notes', importDate: '20261123', runId: 'r1' };

  it('follow docs/contracts.md ("Raw zone") exactly', () => {
    expect(runPrefix(at)).toBe(
      'housing/casenotes-data/notes/import_year=2026/import_month=11/import_day=23/import_date=20261123/run_id=r1/',
    );
    expect(partKey(at, 0, '3f9c0a1b2c3d')).toBe(`${runPrefix(at)}part-00000-3f9c0a1b2c3d.ndjson.gz`);
    expect(partKey(at, 123, '3f9c0a1b2c3d')).toBe(`${runPrefix(at)}part-00123-3f9c0a1b2c3d.ndjson.gz`);
    // A continuation from before attempts existed names its parts without one.
    expect(partKey(at, 0)).toBe(`${runPrefix(at)}part-00000.ndjson.gz`);
    expect(manifestKey(at)).toBe(`${runPrefix(at)}_manifest.json`);
    expect(stateKey('housing/casenotes-data', 'notes')).toBe('_state/housing/casenotes-data/notes.json');
  });

  it('name each invocation by a new attempt: 12 hex digits, never the same twice', () => {
    const attempts = Array.from({ length: 1_000 }, () => newAttempt());
    expect(attempts.every((a) => /^[0-9a-f]{12}$/.test(a))).toBe(true);
    expect(new Set(attempts).size).toBe(1_000);
  });
});

describe('planStreams', () => {
  const source = defineSource({
    name: 'shop',
    baseUrl: 'https://shop.example.invalid',
    streams: {
      lines: { path: '/orders/{parent.id}/lines', parent: { stream: 'orders' } },
      customers: { path: '/customers' },
      orders: { path: '/orders' },
      notes: { path: '/lines/{parent.id}/notes', parent: { stream: 'lines' } },
    },
  });

  it('runs every stream by default, parents before children', () => {
    const plan = planStreams(source);
    expect(plan.toSorted()).toEqual(['customers', 'lines', 'notes', 'orders']);
    expect(plan.indexOf('orders')).toBeLessThan(plan.indexOf('lines'));
    expect(plan.indexOf('lines')).toBeLessThan(plan.indexOf('notes'));
  });

  it('adds the ancestors of a requested child', () => {
    expect(planStreams(source, ['notes'])).toEqual(['orders', 'lines', 'notes']);
    expect(planStreams(source, ['customers'])).toEqual(['customers']);
  });
});
