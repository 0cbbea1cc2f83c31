/**
 * The column-name rule of docs/contracts.md against its vectors, test/vectors/column-names.json:
 * the same file glue-scripts/tests/test_naming.py checks the curated side's naming against.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { columnName, resolveNames, sanitize } from '../../../src/landing/catalog/columnNames.ts';
import { inferColumns } from '../../../src/landing/catalog/rawSchema.ts';

interface Vectors {
  names: { key: string; name: string; why: string }[];
  paths: { path: string[]; name: string; why: string }[];
  collisions: { keys: string[]; reserved: string[]; names: Record<string, string>; why: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../../../test/vectors/column-names.json', import.meta.url), 'utf8'),
) as Vectors;

describe('column names (test/vectors/column-names.json)', () => {
  test('the file holds the cases the rule must cover', () => {
    const keys = vectors.names.map((v) => v.key);
    for (const k of ['orderDate', 'HTTPStatus', 'préço', '_id', '1st', '', 'Total Price', 'a.b', 'Item-ID'])
      expect(keys).toContain(k);
    expect(vectors.collisions.length).toBeGreaterThan(0);
  });

  test.each(vectors.names)('$key → $name ($why)', ({ key, name }) => {
    expect(resolveNames([[key]])).toEqual([name]);
    // names within the length limit are the sanitized key itself
    if (name.length < 63) expect(sanitize(key)).toBe(name);
  });

  test.each(vectors.paths)('$path → $name', ({ path, name }) => {
    expect(columnName(path)).toBe(name);
  });

  test.each(vectors.collisions)('collisions: $why', ({ keys, reserved, names }) => {
    const got = resolveNames(
      keys.map((k) => [k]),
      reserved,
    );
    expect(Object.fromEntries(keys.map((k, i) => [k, got[i]]))).toEqual(names);
    // the same names whatever order the keys come in
    const reversed = resolveNames(
      [...keys].reverse().map((k) => [k]),
      reserved,
    );
    expect(Object.fromEntries([...keys].reverse().map((k, i) => [k, reversed[i]]))).toEqual(names);
  });

  test('a raw table names its columns by the rule, and maps each renamed key', () => {
    const record = Object.fromEntries(vectors.names.map((v) => [v.key, 1]));
    const { columns, mapping } = inferColumns([record]);
    const byKey = Object.fromEntries(Object.entries(mapping).map(([col, key]) => [key, col]));
    const expected = resolveNames(
      vectors.names.map((v) => [v.key]),
      ['import_year', 'import_month', 'import_day', 'import_date', 'run_id'],
    );
    vectors.names.forEach((v, i) => {
      const col = byKey[v.key] ?? v.key;
      expect(col).toBe(expected[i]);
      expect(columns.some((c) => c.Name === col)).toBe(true);
    });
  });
});
