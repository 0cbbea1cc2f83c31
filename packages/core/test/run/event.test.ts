/**
 * Window dates in the handler event: a real calendar instant passes unchanged, a date that
 * `Date.parse` would roll over (Feb 30 → Mar 2) is rejected, naming the field.
 */
import { defineSource } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { isCalendarInstant, parseEvent } from '../../src/run/event.ts';

const source = defineSource({
  name: 'dates',
  baseUrl: 'https://api.example.test',
  streams: { items: { path: '/items' } },
});

describe('isCalendarInstant', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29T12:00:00Z', true],
    ['2026-11-30T23:59:59.999+05:30', true],
    ['2026-02-30', false],
    ['2026-02-29', false],
    ['1900-02-29', false],
    ['2026-11-31', false],
    ['2026-04-31T00:00:00Z', false],
    ['2026-13-01', false],
    ['2026-11-01T24:00:00Z', false],
    ['2026-11-01T10:60:00Z', false],
    ['2026-11-01T10:00:61Z', false],
    ['2026-11-01T10:00:00+24:00', false],
  ])('%s → %s', (s, ok) => {
    expect(isCalendarInstant(s)).toBe(ok);
  });
});

describe('parseEvent window', () => {
  it('keeps a leap day and a past since without until', () => {
    const event = parseEvent(source, { runId: 'r1', window: { since: '2024-02-29' } });
    expect(event.window).toEqual({ since: new Date('2024-02-29T00:00:00Z'), until: undefined });
  });

  it('rejects until on a day that does not exist, naming window.until', () => {
    expect.assertions(3);
    try {
      parseEvent(source, { runId: 'r1', window: { since: '2026-11-01', until: '2026-11-31' } });
    } catch (e) {
      expect(e).toMatchObject({ name: 'EventValidationError' });
      expect((e as Error).message).toContain('window.until: is not a date on the calendar ("2026-11-31"');
      expect((e as Error).message).not.toContain('window.since');
    }
  });

  it('accepts a future since when until is after it, rejects it without until', () => {
    const next = new Date().getUTCFullYear() + 1;
    expect(
      parseEvent(source, { runId: 'r1', window: { since: `${next}-01-01`, until: `${next}-02-01` } }).window,
    ).toEqual({ since: new Date(`${next}-01-01`), until: new Date(`${next}-02-01`) });
    expect(() => parseEvent(source, { runId: 'r1', window: { since: `${next}-01-01` } })).toThrow(
      `window.since: since (${next}-01-01) is in the future and there is no until`,
    );
  });
});
