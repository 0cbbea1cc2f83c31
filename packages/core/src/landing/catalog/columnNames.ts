/**
 * Column names: the one rule of docs/contracts.md ("Column names"), shared with the curated side
 * (glue-scripts/tributary_curate/naming.py). Both are tested against the same vectors,
 * test/vectors/column-names.json: change the rule there, in both implementations, at once.
 */
import { createHash } from 'node:crypto';

/** Separator between a parent object's name and its child's in a flattened column name. */
export const SEP = '__';
/**
 * Longest name kept whole: Glue and Athena allow 255 characters, PostgreSQL identifiers 63 bytes.
 * @default 63
 */
export const MAX_NAME = 63;

/**
 * One name segment → lowercase `[a-z0-9_]`, not starting with a digit, never empty: accents dropped
 * (NFKD, then anything not ASCII), a `_` before an upper-case letter that follows a lower-case letter
 * or digit (`orderDate` → `order_date`), every other character `_`, runs of `_` collapsed to one, a
 * trailing `_` dropped; a leading digit gets a `_` before it (`1st` → `_1st`); nothing left is `_`.
 */
export function sanitize(name: string): string {
  const ascii = name.normalize('NFKD').replace(/\P{ASCII}/gu, '');
  let out = ascii
    .replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/__+/g, '_');
  if (out.length > 1) out = out.replace(/_+$/, '') || '_';
  if (out === '') return '_';
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** A field's path → its column name: `['purchase', 'price']` → `purchase__price`. */
export function columnName(path: readonly string[]): string {
  return path.map(sanitize).join(SEP);
}

function shorten(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const digest = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME - 9)}_${digest}`;
}

/** Code-point order (as Python compares strings), not JavaScript's UTF-16 code-unit order. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]!.codePointAt(0) ?? 0) - (y[i]!.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function comparePaths(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = compareCodePoints(a[i]!, b[i]!);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Gives every path a unique column name, deterministically: paths are named in code-point order of
 * their original spelling; the first keeps the plain name, each later one that collides (with an
 * earlier one or a `reserved` name) gets `_2`, `_3`, … Names longer than `MAX_NAME` are cut and
 * suffixed with a short hash of the full name. Returns the names in the order of `paths`.
 */
export function resolveNames(
  paths: readonly (readonly string[])[],
  reserved: Iterable<string> = [],
): string[] {
  const taken = new Set(reserved);
  const byPath = new Map<string, string>();
  const unique = [...new Map(paths.map((p) => [JSON.stringify(p), p])).values()];
  for (const path of unique.sort(comparePaths)) {
    const base = shorten(columnName(path));
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    byPath.set(JSON.stringify(path), name);
  }
  return paths.map((p) => byPath.get(JSON.stringify(p))!);
}
