/**
 * Backfill slices (docs/contracts.md, "State machine input" and "Handler event"): a window split
 * into consecutive slices of one ISO-8601 duration, each run as its own chain of invocations in the
 * state machine's slice Map, each landing under its own key component (`sliceIdOf`), so that
 * slices of one run never share a prefix or a manifest.
 *
 * Durations are weeks, days, hours and minutes (`P7D`, `PT6H`, `P1DT12H`, `P2W`): fixed lengths
 * in UTC, so a boundary is exactly `since + k × duration` (computed from `since` each time, never
 * summed step by step). Years and months are refused (their length varies: `P1M` from 31 January
 * has no single answer). The last slice is clipped to `until`.
 */
import { EventValidationError } from '../errors.ts';

/** Most slices one window may give: each is a Map iteration in one execution's history (25,000 events). @default 200 */
export const MAX_SLICES = 200;

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

/** Why `text` is not a slice length, or undefined when it is one. */
export function sliceDurationProblem(text: unknown): string | undefined {
  if (typeof text !== 'string')
    return `must be an ISO-8601 duration such as "P7D", got ${JSON.stringify(text)}`;
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    if (/^P/.test(text) && /[YM]/.test(text.split('T')[0]!))
      return `"${text}" has years or months, whose length varies; give weeks, days, hours or minutes, e.g. "P30D"`;
    return `"${text}" is not an ISO-8601 duration of weeks, days, hours or minutes (e.g. "P7D", "PT6H", "P1DT12H")`;
  }
  if (durationMs(text) < 60_000) return `"${text}" is shorter than a minute`;
  return undefined;
}

/** The length of a duration `sliceDurationProblem` accepts, in ms. */
export function durationMs(text: string): number {
  const [, w, d, h, min] = DURATION.exec(text) ?? [];
  const n = (s: string | undefined) => Number(s ?? 0);
  return (((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60_000;
}

export interface SliceWindow {
  since: string;
  until: string;
}

/**
 * `[since, until)` in slices of `duration`, as ISO UTC instants; the last one ends at `until`.
 * Throws an `EventValidationError` naming `field` for a bad duration or too many slices.
 */
export function splitWindow(
  window: { since: Date; until: Date },
  duration: string,
  where: { source: string; field: string },
): SliceWindow[] {
  const problem = sliceDurationProblem(duration);
  const fail = (message: string) =>
    new EventValidationError(`invalid handler event: ${where.field}: ${message}`, {
      where: { source: where.source },
    });
  if (problem) throw fail(problem);
  const step = durationMs(duration);
  const since = window.since.getTime();
  const until = window.until.getTime();
  const count = Math.ceil((until - since) / step);
  if (count > MAX_SLICES) {
    throw fail(
      `"${duration}" splits ${window.since.toISOString()} – ${window.until.toISOString()} into ${count} slices, more than ${MAX_SLICES}; give a longer slice, or run the window in parts`,
    );
  }
  const slices: SliceWindow[] = [];
  for (let k = 0; k < count; k++) {
    const start = since + k * step;
    slices.push({
      since: new Date(start).toISOString(),
      until: new Date(Math.min(start + step, until)).toISOString(),
    });
  }
  return slices;
}

/** `2025-01-01T00:00:00.000Z` → `20250101T000000Z` (milliseconds kept only when not zero). */
function compact(iso: string): string {
  const t = new Date(iso).toISOString();
  const ms = t.slice(20, 23);
  return `${t.slice(0, 19).replaceAll('-', '').replaceAll(':', '')}${ms === '000' ? '' : ms}Z`;
}

/**
 * A slice's key component: its bounds, `20250101T000000Z-20250108T000000Z`. It derives from the
 * window alone, so a rerun of the same runId with the same window lands on the same keys.
 */
export function sliceIdOf(window: { since: string | Date; until: string | Date }): string {
  const iso = (d: string | Date) => (typeof d === 'string' ? d : d.toISOString());
  return `${compact(iso(window.since))}-${compact(iso(window.until))}`;
}

/** What a slice id may be: it goes into keys, and comes back in continuations. */
export const SLICE_ID = /^\d{8}T\d{6}(?:\d{3})?Z-\d{8}T\d{6}(?:\d{3})?Z$/;
