/** The records of a page: the array at the stream's `records` path (`''` = the body itself). */
import { type ErrorWhere, MalformedResponseError } from '../errors.ts';
import type { PathGetter } from '../template/getPath.ts';

const NONE: readonly unknown[] = Object.freeze([]);

export function selectRecords(
  body: unknown,
  at: PathGetter,
  path: string,
  where: ErrorWhere,
): readonly unknown[] {
  const value = at(body);
  if (Array.isArray(value)) return value;
  // An absent list is an empty page (APIs drop empty arrays); anything else is not what we expect.
  if (value === undefined || value === null) return NONE;
  const got = typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  const snippet = JSON.stringify(value).slice(0, 200);
  throw new MalformedResponseError(
    `expected an array of records at ${path === '' ? 'the body root' : `"${path}"`}, got ${got}`,
    { snippet, where },
  );
}
