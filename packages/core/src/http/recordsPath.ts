/**
 * ➕ The `records` path with wildcards (issue 15 item 4), as dlt's `data_selector` and Airbyte's
 * `DpathExtractor`: `data.*.items` (every value of `data`, then its `items`), `results[*].rows`
 * (every element of `results`, then its `rows`). `*` (or `[*]` after a key) stands for every element
 * of an array or every value of an object, in order. Every match that is an array gives its
 * elements, any other non-null match is one record; all of them, in order, are the page's records.
 *
 * A plain path (no wildcard) compiles as before (`compilePath`) and keeps the scan fast path
 * (streamPlan's `rawTarget`); a wildcard path is always parsed. The path before the first wildcard
 * is what must exist: a body without it gives `undefined`, which `selectRecords` reports as a
 * misconfigured path (naming the keys the body has); past a wildcard, an element without the rest
 * of the path contributes nothing (an empty group).
 */
import { compilePath, type PathGetter } from '../template/getPath.ts';

/** `results[*].rows` → `results.*.rows`. */
export function normalizeRecordsPath(path: string): string {
  return path.replaceAll('[*]', '.*').replace(/^\./, '');
}

export function isWildcardPath(path: string): boolean {
  return normalizeRecordsPath(path).split('.').includes('*');
}

/** Why `path` is not a records path, or undefined. */
export function recordsPathProblem(path: string): string | undefined {
  if (path === '') return undefined;
  const keys = normalizeRecordsPath(path).split('.');
  if (keys.some((k) => k === '' || /[[\]]/.test(k) || (k.includes('*') && k !== '*'))) {
    return `"${path}" is not a records path: write keys joined by ".", with "*" (or "[*]" after a key) for every element, e.g. "data.items", "data.*.items", "results[*].rows"`;
  }
  return undefined;
}

/** The records getter of a path: `compilePath` for a plain one, the flattened matches for a wildcard one. */
export function compileRecordsPath(path: string): PathGetter {
  if (!isWildcardPath(path)) return compilePath(path);
  const keys = normalizeRecordsPath(path).split('.');
  const first = keys.indexOf('*');
  const prefix = compilePath(keys.slice(0, first).join('.'));
  const rest = keys.slice(first);
  return (body) => {
    const start = prefix(body);
    if (start === undefined) return undefined;
    const records: unknown[] = [];
    collect(start, rest, records);
    return records;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

function collect(value: unknown, keys: readonly string[], out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (keys.length === 0) {
    if (Array.isArray(value)) for (const item of value) out.push(item);
    else out.push(value);
    return;
  }
  if (!isObject(value)) return;
  const [key, ...rest] = keys as [string, ...string[]];
  if (key === '*') {
    for (const child of Array.isArray(value) ? value : Object.values(value)) collect(child, rest, out);
  } else if (!Array.isArray(value)) {
    collect(value[key], rest, out);
  }
}
