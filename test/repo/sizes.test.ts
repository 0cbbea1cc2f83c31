/**
 * No function over 60 lines and no file over 300 in `packages/*\/src`, `functions/*\/src` and
 * `glue-scripts/tributary_curate`, except what `test/repo/size-allowlist.json` names with its size
 * today. The list only shrinks: an entry fails once its function or file grows past the size it
 * names, and once it is within the limits (or gone) and so no longer needed. Rewrite the list with
 * `pnpm run sizes:update` after shrinking something.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALLOWLIST, key, measureAll, measureTs, overLimits, type Size } from '../../scripts/sizes.ts';

const allowlist = JSON.parse(readFileSync(ALLOWLIST, 'utf8')) as Size[];
const over = overLimits(measureAll());

function byKey(sizes: Size[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const s of sizes)
    map.set(
      key(s),
      [...(map.get(key(s)) ?? []), s.lines].sort((a, b) => b - a),
    );
  return map;
}

describe('function and file sizes', () => {
  it('measures every kind of function the limit covers, from its first line to its last', () => {
    const text = [
      'function a() {',
      '  return 1;',
      '}',
      'class C {',
      '  m() {',
      '    const f = () => {',
      '      return 2;',
      '    };',
      '    return function named() {};',
      '  }',
      '}',
      '',
    ].join('\n');
    const sizes = measureTs(`${import.meta.dirname}/x.ts`, text);
    expect(sizes.map((s) => [s.name, s.lines])).toEqual([
      [undefined, 11],
      ['a', 3],
      ['m', 6],
      ['f', 3],
      ['named', 1],
    ]);
  });

  it('finds the Python functions in glue-scripts', () => {
    expect(measureAll().some((s) => s.path.endsWith('.py') && s.name !== undefined)).toBe(true);
  });

  it('has nothing over the limits that the allowlist does not name at its size or smaller', () => {
    const allowed = byKey(allowlist);
    const unlisted = [...byKey(over)].flatMap(([k, lines]) => {
      const caps = allowed.get(k) ?? [];
      return lines
        .filter((n, i) => caps[i] === undefined || n > (caps[i] ?? 0))
        .map((n) => `${k} (${n} lines)`);
    });
    expect(unlisted, 'split these, or (for code you did not write) run `pnpm run sizes:update`').toEqual([]);
  });

  it('lists nothing that is within the limits now (the allowlist only shrinks)', () => {
    const now = byKey(over);
    const stale = [...byKey(allowlist)].flatMap(([k, caps]) =>
      caps.slice((now.get(k) ?? []).length).map((n) => `${k} (listed at ${n} lines)`),
    );
    expect(stale, 'remove these entries: run `pnpm run sizes:update`').toEqual([]);
  });
});
