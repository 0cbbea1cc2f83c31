/**
 * The records of a page: the array at the stream's `records` path (`''` = the body itself). A
 * `null` list, an empty object and an empty body are an empty page (APIs drop empty arrays); a path
 * that leads nowhere in an object that has other keys is a misconfigured path (or an error body the
 * response rules do not know), not an empty page: a `MalformedResponseError` naming the path, the
 * URL and the keys the body has.
 */
import { type ErrorWhere, MalformedResponseError } from '../errors.ts';
import type { PathGetter } from '../template/getPath.ts';
import { normalizeRecordsPath } from './recordsPath.ts';

const NONE: readonly unknown[] = Object.freeze([]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function selectRecords(
  body: unknown,
  at: PathGetter,
  path: string,
  where: ErrorWhere,
): readonly unknown[] {
  const value = at(body);
  if (Array.isArray(value)) return value;
  if (value === null) return NONE;
  if (value === undefined) {
    missingPath(body, path, where);
    return NONE;
  }
  const got = typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  const snippet = JSON.stringify(value).slice(0, 200);
  throw new MalformedResponseError(
    `expected an array of records at ${path === '' ? 'the body root' : `"${path}"`}, got ${got}`,
    { snippet, where },
  );
}

/** Throws when the path broke off in an object that has keys (or in something not an object). */
function missingPath(body: unknown, path: string, where: ErrorWhere): void {
  if (body === null || body === undefined || path === '') return;
  let current: unknown = body;
  const keys = normalizeRecordsPath(path).split('.');
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (key === '*') return; // ➕ a wildcard path: only the part before it must exist
    const at = k === 0 ? 'the body' : `"${keys.slice(0, k).join('.')}"`;
    if (!isObject(current)) {
      const got = Array.isArray(current) ? 'an array' : `a ${typeof current}`;
      throw new MalformedResponseError(
        `no records at "${path}": ${at} is ${got}, not an object with "${key}" (check the stream's records path)`,
        { snippet: JSON.stringify(current).slice(0, 200), where },
      );
    }
    if (!(key in current) || current[key] === undefined) {
      const present = Object.keys(current);
      if (present.length === 0) return; // `{}`: nothing here
      const listed = present.slice(0, 20).map((name) => JSON.stringify(name));
      const more = present.length > 20 ? `, … (${present.length} keys)` : '';
      throw new MalformedResponseError(
        `no records at "${path}": ${at} has no "${key}"; its keys are [${listed.join(', ')}${more}] (check the stream's records path, or add a response rule for this answer)`,
        { snippet: listed.join(', ').slice(0, 200), where },
      );
    }
    current = current[key];
  }
}
