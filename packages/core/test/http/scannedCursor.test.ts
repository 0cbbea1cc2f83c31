/** The scanned page's greatest cursor equals what the parsed path finds, whatever the values' layouts. */
import { expect, test } from 'vitest';
import { compilePath } from '../../src/definition/template/getPath.ts';
import { maxCursor } from '../../src/http/maxCursor.ts';
import { isUtcLayout } from '../../src/http/scannedCursor.ts';
import { scanPage, scanTarget } from '../../src/http/scanRecords.ts';

const VALUES: unknown[] = [
  '2026-11-24T06:00:00Z',
  '2026-11-24T06:00:01Z',
  '2025-01-01T00:00:00Z',
  '2026-11-24T06:00:00.500Z',
  '2026-11-24T06:00:00.999Z',
  '2026-11-24T07:00:00+02:00', // an offset: earlier than it reads
  '2026-12-01',
  '2026-13-01T00:00:00Z', // shaped like a timestamp, not one
  '2026-11-24T06:00:00\\u005a', // an escape: read as the parsed path reads it
  1767323045000,
  null,
  '',
  'not a date',
];

test('equals the parsed path on 2,000 random pages', () => {
  let seed = 99;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const at = compilePath('t');
  for (let n = 0; n < 2_000; n++) {
    const items = Array.from({ length: Math.floor(next() * 8) }, () => {
      const value = VALUES[Math.floor(next() * VALUES.length)];
      return next() < 0.1
        ? '{"id":1}'
        : `{"id":1,"t":${JSON.stringify(value).replace('\\\\u005a', '\\u005a')}}`;
    });
    const body = Buffer.from(`{"data":[${items.join(',')}]}`);
    const parsed = (JSON.parse(body.toString()) as { data: unknown[] }).data;
    for (const type of ['iso', 'unix', 'unixMs'] as const) {
      // A fresh copy each time: the scan rewrites the body into NDJSON.
      const scanned = scanPage(Buffer.from(body), scanTarget('data', 't'), type)!;
      expect(scanned.maxCursor, `${type} ${body}`).toEqual(maxCursor(parsed, at, type));
    }
  }
});

test.each([
  ['"2026-11-24T06:00:00Z"', true],
  ['"2026-11-24T06:00:00.123456Z"', true],
  ['"2026-11-24T06:00:00.Z"', false],
  ['"2026-11-24 06:00:00Z"', false],
  ['"2026-11-24T06:00:00+00:00"', false],
  ['"2026-11-24T06:00:00z"', false],
  ['2026', false],
])('%s is in the layout that orders as bytes: %s', (text, expected) => {
  const b = Buffer.from(text);
  expect(isUtcLayout(b, 0, b.length)).toBe(expected);
});
