/**
 * The greatest cursor of a scanned page (`Page.maxCursor`) without a string or a `Date.parse` per
 * record: ISO timestamps written in one UTC layout (`"2026-11-24T06:00:00Z"`, or with a fixed
 * number of fraction digits) order as their bytes do, so only the greatest is parsed. Any other
 * value (another layout, an offset, a number, an escape) is read as the parsed path reads it.
 */
import type { IncrementalDefinition } from '../definition/schema.ts';
import { cursorMillis, maxCursorOf } from './maxCursor.ts';

const QUOTE = 0x22;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

const DIGITS_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** `"YYYY-MM-DDTHH:MM:SS[.f…]Z"` exactly, quotes included, from `from` to `to` (exclusive). */
export function isUtcLayout(b: Uint8Array, from: number, to: number): boolean {
  const n = to - from;
  if (n < 22 || b[from] !== QUOTE || b[to - 1] !== QUOTE || b[to - 2] !== 0x5a /* Z */) return false;
  const o = from + 1;
  for (let d = 0; d < DIGITS_AT.length; d++) if (!isDigit(b[o + DIGITS_AT[d]!])) return false;
  if (
    b[o + 4] !== 0x2d ||
    b[o + 7] !== 0x2d ||
    b[o + 10] !== 0x54 ||
    b[o + 13] !== 0x3a ||
    b[o + 16] !== 0x3a
  )
    return false;
  if (n === 22) return true;
  // A fraction: `.` then digits up to the Z.
  if (b[o + 19] !== 0x2e || n < 24) return false;
  for (let k = 20; k < n - 3; k++) if (!isDigit(b[o + k])) return false;
  return true;
}

function bytesGreater(b: Uint8Array, a: number, than: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    const x = b[a + k]!;
    const y = b[than + k]!;
    if (x !== y) return x > y;
  }
  return false;
}

/** Record `k`'s value of the field, as JSON.parse would give it; `undefined` if absent. */
function fieldAt(body: Buffer, fields: readonly number[], k: number): unknown {
  const from = fields[2 * k]!;
  if (from < 0) return undefined;
  const to = fields[2 * k + 1]!;
  if (body[from] === QUOTE) {
    let plain = true;
    for (let i = from + 1; i < to - 1; i++) {
      if (body[i] === 0x5c) {
        plain = false;
        break;
      }
    }
    if (plain) return body.toString('utf8', from + 1, to - 1);
  }
  return JSON.parse(body.toString('utf8', from, to));
}

/** `fields` holds each record's value range, `[start, end)`, `-1` when the record has none. */
export function maxScannedCursor(
  body: Buffer,
  fields: readonly number[],
  count: number,
  type: IncrementalDefinition['cursorType'],
): string | undefined {
  let max = Number.NEGATIVE_INFINITY;
  // The greatest value seen in the layout of the first one that had it (its start and length).
  let best = -1;
  let bestLength = 0;
  for (let k = 0; k < count; k++) {
    const from = fields[2 * k]!;
    if (from < 0) continue;
    const to = fields[2 * k + 1]!;
    if (type === 'iso' && isUtcLayout(body, from, to) && (best < 0 || to - from === bestLength)) {
      if (best < 0 || bytesGreater(body, from, best, bestLength)) {
        best = from;
        bestLength = to - from;
      }
      continue;
    }
    const ms = cursorMillis(fieldAt(body, fields, k), type);
    if (ms !== undefined && ms > max) max = ms;
  }
  if (best >= 0) {
    const ms = Date.parse(body.toString('latin1', best + 1, best + bestLength - 1));
    // Shaped like a timestamp but not one (month 13): read every value the slow way.
    if (!Number.isFinite(ms)) return maxCursorOf(count, (k) => fieldAt(body, fields, k), type);
    if (ms > max) max = ms;
  }
  return max === Number.NEGATIVE_INFINITY ? undefined : new Date(max).toISOString();
}
