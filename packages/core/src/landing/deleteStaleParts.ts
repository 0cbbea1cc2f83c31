/**
 * After a manifest lands: removes part files under the run's prefix that the manifest does not list
 * (left by an earlier attempt of the same run that produced more parts). The manifest stays the
 * truth either way; this keeps a plain listing of the prefix honest too.
 */

import { PART_FILE } from './keys.ts';
import type { LandingStorage } from './LandingStorage.ts';

/** Returns the keys deleted. */
export async function deleteStaleParts(
  storage: LandingStorage,
  prefix: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const stale = (await storage.list(prefix)).filter((key) => PART_FILE.test(key) && !keep.has(key));
  await storage.delete(stale);
  return stale;
}
