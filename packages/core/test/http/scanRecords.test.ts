/**
 * The records scan against the reference it must match: `JSON.parse`. Documents are generated and
 * damaged at random (seeded: a failure reproduces), and the scan must accept exactly what
 * `JSON.parse` accepts, find the same records, and give NDJSON lines that parse to them.
 */
import { isUtf8 } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import { compilePath } from '../../src/definition/template/getPath.ts';
import { maxCursor } from '../../src/http/maxCursor.ts';
import { isJson, lineAt, MAX_DEPTH, scanPage, scanTarget } from '../../src/http/scanRecords.ts';

/** xorshift32: deterministic test data. */
function generator(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  return { next, int, pick };
}
type Gen = ReturnType<typeof generator>;

const PIECES = [
  'a',
  'é',
  '€',
  '😀',
  '\\"',
  '\\\\',
  '\\n',
  '\\u00e9',
  '\\ud83d\\ude00',
  '\\/',
  ' ',
  'x y',
  '\\t',
];

function randomString(g: Gen): string {
  let s = '';
  for (let n = g.int(6); n > 0; n--) s += g.pick(PIECES);
  return `"${s}"`;
}

function randomNumber(g: Gen): string {
  return g.pick(['0', '-0', '7', '-12', '3.25', '1e3', '1E-2', '-0.5e+7', '12345678901234567890', '1.0']);
}

/** A random JSON text (not a value: the text itself, with random whitespace and escapes). */
function randomJson(g: Gen, depth = 0): string {
  const ws = () => g.pick(['', '', '', ' ', '\n  ', '\t', '\r\n']);
  const roll = depth > 3 ? g.int(5) : g.int(7);
  if (roll === 0) return randomString(g);
  if (roll === 1) return randomNumber(g);
  if (roll === 2) return g.pick(['true', 'false', 'null']);
  if (roll === 3) return randomString(g);
  if (roll === 4) return randomNumber(g);
  if (roll === 5) {
    const items = Array.from({ length: g.int(4) }, () => ws() + randomJson(g, depth + 1) + ws());
    return `[${items.join(',')}]`;
  }
  const members = Array.from(
    { length: g.int(5) },
    () => `${ws()}${randomString(g)}${ws()}:${ws()}${randomJson(g, depth + 1)}${ws()}`,
  );
  return `{${members.join(',')}}`;
}

const DAMAGE = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\\',
  '\\u12',
  '-',
  '.',
  'e',
  '0',
  'tru',
  'nul',
  ' ',
  '\u0001',
  '\u007f',
  '\ufeff',
];

function damage(g: Gen, text: string): Buffer {
  let bytes = Buffer.from(text);
  for (let n = 1 + g.int(2); n > 0; n--) {
    const at = g.int(bytes.length + 1);
    const roll = g.int(4);
    if (roll === 0) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    else if (roll === 1)
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(g.pick(DAMAGE)), bytes.subarray(at)]);
    else if (roll === 2) bytes = bytes.subarray(0, at);
    // A byte that breaks UTF-8 (a lone continuation or a cut sequence).
    else
      bytes = Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from([g.pick([0x80, 0xc3, 0xff])]),
        bytes.subarray(at),
      ]);
  }
  return bytes;
}

function parses(bytes: Buffer): boolean {
  if (!isUtf8(bytes)) return false;
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

describe('validation matches JSON.parse', () => {
  test('on 50,000 random documents, whole and damaged', () => {
    const g = generator(20261124);
    const disagreements: string[] = [];
    let valid = 0;
    for (let n = 0; n < 50_000; n++) {
      const text = randomJson(g);
      const bytes = n % 3 === 0 ? Buffer.from(text) : damage(g, text);
      const expected = parses(bytes);
      if (expected) valid++;
      if (isJson(bytes) !== expected && disagreements.length < 5) {
        disagreements.push(`${JSON.stringify(bytes.toString('latin1'))}: JSON.parse ${expected}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Both kinds were exercised.
    expect(valid).toBeGreaterThan(12_000);
    expect(valid).toBeLessThan(48_000);
  });

  test.each([
    ['an empty body', ''],
    ['a byte order mark', '\ufeff{}'],
    ['a trailing comma', '[1,]'],
    ['a leading zero', '[01]'],
    ['a bare minus', '[-]'],
    ['a raw tab in a string', '["a\tb"]'],
    ['a short \\u escape', '["\\u12"]'],
    ['an unknown escape', '["\\x41"]'],
    ['two documents', '{} {}'],
    ['a single quote', "['a']"],
    ['NaN', '[NaN]'],
  ])('rejects %s, as JSON.parse does', (_what, text) => {
    expect(parses(Buffer.from(text))).toBe(false);
    expect(isJson(Buffer.from(text))).toBe(false);
  });
});

describe('records at a path', () => {
  const at = compilePath('updated_at');

  test('records, envelope, greatest cursor and NDJSON lines match JSON.parse on 3,000 random pages', () => {
    const g = generator(7);
    for (let n = 0; n < 3_000; n++) {
      const records = Array.from({ length: g.int(6) }, (_, i) => {
        const extra = JSON.parse(randomJson(g)) as unknown;
        if (g.int(8) === 0) return extra; // not every element is an object
        const r: Record<string, unknown> = { id: i, extra };
        if (g.int(4) > 0) {
          r.updated_at = g.pick([
            '2026-01-02T03:04:05Z',
            '2025-06-01T00:00:00.250Z',
            1767323045,
            null,
            'caf\u00e9',
          ]);
        }
        return r;
      });
      const body = { before: JSON.parse(randomJson(g)), page: { data: records, more: true }, after: 1 };
      const text = JSON.stringify(body, null, g.pick([undefined, 0, 2, '\t']));
      const bytes = Buffer.from(text);
      // What JSON.parse reads from the text (-0 was written as 0).
      const parsed = JSON.parse(text) as typeof body;
      const expectedRecords = parsed.page.data;

      const scanned = scanPage(bytes, scanTarget('page.data', 'updated_at'), 'iso');

      expect(scanned, text).toBeDefined();
      expect(scanned!.count).toBe(expectedRecords.length);
      expect(scanned!.envelope).toEqual({ ...parsed, page: { data: [], more: true } });
      expect(scanned!.maxCursor).toEqual(maxCursor(expectedRecords, at, 'iso'));
      const lines = scanned!.ndjson.toString('utf8');
      expect(
        lines
          .split('\n')
          .slice(0, -1)
          .map((line) => JSON.parse(line)),
      ).toEqual(expectedRecords);
      expect(lines.endsWith('\n') || expectedRecords.length === 0).toBe(true);
      expectedRecords.forEach((record, k) => {
        expect(lineAt(scanned!.ndjson, scanned!.count, k)).toEqual(record);
      });
      expect(lineAt(scanned!.ndjson, scanned!.count, -1)).toEqual(expectedRecords.at(-1));
    }
  });

  test('a compact page lands as the very bytes the API sent, big integers and escapes included', () => {
    const text = '{"data":[{"id":12345678901234567890,"n":1.50,"s":"caf\\u00e9"},{"id":2}],"next":"x"}';
    const scanned = scanPage(Buffer.from(text), scanTarget('data'));
    expect(scanned?.ndjson.toString()).toBe(
      '{"id":12345678901234567890,"n":1.50,"s":"caf\\u00e9"}\n{"id":2}\n',
    );
    expect(scanned?.envelope).toEqual({ data: [], next: 'x' });
  });

  test('a body that is the array itself, and an empty one', () => {
    const scanned = scanPage(Buffer.from(' [ {"a":1} ,\n {"a":2} ] '), scanTarget(''));
    expect(scanned?.count).toBe(2);
    expect(scanned?.ndjson.toString()).toBe('{"a":1}   \n{"a":2}\n');
    expect(scanned?.envelope).toEqual([]);
    const empty = scanPage(Buffer.from('{"data":[]}'), scanTarget('data', 'x'));
    expect(empty).toMatchObject({ count: 0, envelope: { data: [] } });
    expect(empty?.ndjson).toHaveLength(0);
    expect(empty?.maxCursor).toBeUndefined();
  });

  test('the last of a duplicated cursor field wins, as in JSON.parse', () => {
    const text = '{"data":[{"t":"2026-01-01T00:00:00Z","t":"2025-01-01T00:00:00Z"}]}';
    expect(scanPage(Buffer.from(text), scanTarget('data', 't'))?.maxCursor).toBe('2025-01-01T00:00:00.000Z');
  });

  test('keys spelt with escapes are read as what they spell', () => {
    const bytes = Buffer.from(
      '{"d\\u0061ta":[{"upd\\u0061ted":"2026-01-01T00:00:00Z","\\t":2},{"updated":"2027-01-01T00:00:00Z","upd\\u0061ted":"2025-01-01T00:00:00Z"}]}',
    );
    const scanned = scanPage(bytes, scanTarget('data', 'updated'));
    expect(scanned?.count).toBe(2);
    expect(scanned?.maxCursor).toBe('2026-01-01T00:00:00.000Z');
  });

  test.each([
    ['the path key twice', '{"data":[{"a":1}],"data":[{"a":2}]}', 'data'],
    ['no array at the path', '{"data":{"a":1}}', 'data'],
    ['null at the path', '{"data":null}', 'data'],
    ['no such key', '{"items":[]}', 'data'],
    ['an array on the way', '{"page":[{"data":[]}]}', 'page.data'],
    [
      'nesting deeper than the scan goes',
      `{"data":[${'['.repeat(MAX_DEPTH + 5)}${']'.repeat(MAX_DEPTH + 5)}]}`,
      'data',
    ],
  ])('declines %s, leaving the page to JSON.parse (and the body untouched)', (_what, text, path) => {
    const bytes = Buffer.from(text);
    expect(parses(bytes)).toBe(true);
    expect(scanPage(bytes, scanTarget(path, 'updated'))).toBeUndefined();
    expect(bytes.toString()).toBe(text);
  });

  test('declines a body that is not UTF-8, which JSON.parse would have read with replacement characters', () => {
    const bytes = Buffer.concat([Buffer.from('{"data":[{"a":"'), Buffer.from([0xff]), Buffer.from('"}]}')]);
    expect(scanPage(bytes, scanTarget('data'))).toBeUndefined();
  });
});
