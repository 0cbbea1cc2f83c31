/**
 * A stream's incremental watermark, `_state/<OUTPUT_FOLDER>/<stream>.json`. It moves only forward,
 * and only after the run's manifest is written.
 */

import type { LandingStorage } from './LandingStorage.ts';
import type { StoredWindow } from './Manifest.ts';
import type { ParentWatermarks } from './parentWatermarks.ts';

export interface WatermarkState {
  /**
   * The greatest cursor value landed so far (ISO). ➕ `null` only in a per-parent child's state whose
   * stream watermark has not moved yet while some parents' have (`parents`, run/parentState.ts).
   */
  watermark: string | null;
  /** The run that moved it last. */
  runId: string;
  updatedAt: string;
  /** The window that run read, and its import date: a rerun of that run reads the same window. */
  window?: StoredWindow;
  importDate?: string;
  /** ➕ A child stream with `parent.state: 'perParent'`: each parent key's watermark (parentWatermarks.ts). */
  parents?: ParentWatermarks;
}

export function readWatermark(storage: LandingStorage, key: string): Promise<WatermarkState | undefined> {
  return storage.readWatermark(key);
}

/** `a > b` for ISO dates (any offset); an unparsable value never wins. */
export function isLater(a: string, b: string | null | undefined): boolean {
  if (b === null || b === undefined) return !Number.isNaN(Date.parse(a));
  return Date.parse(a) > Date.parse(b);
}

/**
 * Writes `next` if it is later than the stored watermark; returns the watermark in force afterwards.
 * Reads the state again just before writing, so a concurrent or earlier run's later value is kept.
 */
export async function advanceWatermark(
  storage: LandingStorage,
  key: string,
  next: Omit<WatermarkState, 'updatedAt' | 'watermark'> & { watermark: string },
): Promise<string> {
  const current = await storage.readWatermark(key);
  if (current?.watermark && !isLater(next.watermark, current.watermark)) return current.watermark;
  await storage.writeWatermark(key, { ...next, updatedAt: new Date().toISOString() });
  return next.watermark;
}

/**
 * Whether a read from `since` leaves nothing unread before it, so that its greatest cursor may
 * become the watermark (run/settleWatermark.ts; per parent, landing/parentWatermarks.ts): it
 * started at or before the watermark in force, or, with none yet, at or before `initialSince`
 * (a read with no `since` starts at the beginning).
 */
export function noGap(
  since: string | null,
  watermark: string | undefined,
  initialSince: string | undefined,
): boolean {
  if (since === null) return true;
  if (watermark !== undefined) return Date.parse(since) <= Date.parse(watermark);
  return initialSince !== undefined && Date.parse(since) <= Date.parse(initialSince);
}
