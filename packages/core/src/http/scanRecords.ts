/**
 * A page's records as the API's own bytes. One pass over the body validates it as JSON (exactly
 * what `JSON.parse` accepts: a differential test holds the two together), finds the array at the
 * records path, each record's byte range and, optionally, the range of one top-level field of each
 * record (the incremental cursor). Nothing is materialized: no objects, no strings.
 *
 * Landing then copies the records' bytes into NDJSON instead of parsing every record and
 * serializing it again: about a third of the CPU (see bench/FINDINGS.md), no garbage, and the raw
 * zone keeps what the API sent (integers beyond 2^53, number spelling, escapes). Whenever the scan
 * cannot vouch for a page — not JSON, not UTF-8, no array at the path, a path key given twice,
 * nesting deeper than {@link MAX_DEPTH} — it returns `undefined` and the
 * caller parses the page the ordinary way, which also gives the ordinary errors.
 */

import { isUtf8 } from 'node:buffer';
import type { IncrementalDefinition } from '../definition/schema.ts';
import {
  afterValue,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  type EscapeFlag,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
  skipWhitespace,
  string,
  value,
} from './jsonScan.ts';
import { maxScannedCursor } from './scannedCursor.ts';

export { isJson, MAX_DEPTH } from './jsonScan.ts';

/** A page whose records were scanned, not parsed: all of it that outlives the scan. */
export interface ScannedPage {
  count: number;
  /** The records as NDJSON: a view of the body, which was rewritten in place (see `linesInPlace`). */
  ndjson: Buffer;
  /** The body with its records array emptied: what paginators read (`next_cursor`, `has_more`). */
  envelope: unknown;
  /** With a cursor field: the page's greatest cursor, as `Page.maxCursor`. */
  maxCursor?: string;
}

const decoder = new TextDecoder();

/** The bytes NDJSON is made of besides the records' own. */
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const SPACE = 0x20;

/**
 * Whether the key just scanned, `[start, end)` without its quotes, is `key`. A key spelt with
 * escapes (rare) is decoded first: `"upd\u0061ted_at"` is `updated_at`.
 */
function keyIs(b: Uint8Array, start: number, end: number, key: Uint8Array, withEscapes: boolean): boolean {
  if (withEscapes) {
    const spelt = JSON.parse(`"${decoder.decode(b.subarray(start, end))}"`) as string;
    return spelt === decoder.decode(key);
  }
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[start + k] !== key[k]) return false;
  return true;
}

/** Returned inside the scan when the page is valid JSON the fast path does not take on. */
const DECLINE = -2;

interface Target extends ScanTarget, EscapeFlag {
  /** Set by `member`: whether the key just read is the one looked for. */
  isKey: boolean;
  /** Set once the records array is found. */
  arrayStart: number;
  arrayEnd: number;
  /** Each record's `[start, end)` in the body, as pairs. */
  bounds: number[];
  /** With a field: each record's value of it, `[start, end)`, `-1, -1` when absent. */
  fields: number[];
}

/**
 * An object's member at `i`, up to its value: the key (in `t.isKey` whether it is `key`) and the
 * colon. The offset of the value, or -1.
 */
function member(b: Uint8Array, i: number, t: Target, key: Uint8Array): number {
  if (b[i] !== QUOTE) return -1;
  const keyStart = i + 1;
  t.escaped = false;
  i = string(b, keyStart, t);
  if (i < 0) return -1;
  t.isKey = keyIs(b, keyStart, i - 1, key, t.escaped);
  i = afterValue(b, i);
  return b[i] === COLON ? afterValue(b, i + 1) : -1;
}

/** A record of the array: an object whose `field` is noted, or any other value. */
function record(b: Uint8Array, i: number, t: Target, fields: number[]): number {
  if (t.field === undefined) return value(b, i, 2 + t.path.length);
  if (b[i] !== OPEN_OBJECT) {
    fields.push(-1, -1);
    return value(b, i, 2 + t.path.length);
  }
  let from = -1;
  let to = -1;
  i = skipWhitespace(b, i + 1);
  if (b[i] === CLOSE_OBJECT) {
    fields.push(from, to);
    return i + 1;
  }
  for (;;) {
    const valueStart = member(b, i, t, t.field);
    if (valueStart < 0) return -1;
    i = value(b, valueStart, 3 + t.path.length);
    if (i < 0) return -1;
    // The last occurrence wins, as in JSON.parse.
    if (t.isKey) {
      from = valueStart;
      to = i;
    }
    i = afterValue(b, i);
    const d = b[i];
    if (d === COMMA) i = afterValue(b, i + 1);
    else if (d === CLOSE_OBJECT) {
      fields.push(from, to);
      return i + 1;
    } else return -1;
  }
}

/** The records array at `i`. */
function records(b: Uint8Array, i: number, t: Target): number {
  if (b[i] !== OPEN_ARRAY) return DECLINE;
  const arrayStart = i;
  const { bounds, fields } = t;
  i = skipWhitespace(b, i + 1);
  if (b[i] !== CLOSE_ARRAY) {
    for (;;) {
      const start = i;
      i = record(b, i, t, fields);
      if (i < 0) return i;
      bounds.push(start, i);
      i = afterValue(b, i);
      const d = b[i];
      if (d === COMMA) i = afterValue(b, i + 1);
      else if (d === CLOSE_ARRAY) break;
      else return -1;
    }
  }
  t.arrayStart = arrayStart;
  t.arrayEnd = i + 1;
  return i + 1;
}

/** An object on the records path at `level`: its key `path[level]` leads on, the rest is validated. */
function pathObject(b: Uint8Array, i: number, t: Target, level: number): number {
  if (b[i] !== OPEN_OBJECT) return DECLINE;
  const key = t.path[level]!;
  let found = false;
  i = skipWhitespace(b, i + 1);
  if (b[i] === CLOSE_OBJECT) return DECLINE;
  for (;;) {
    const valueStart = member(b, i, t, key);
    if (valueStart < 0) return -1;
    if (t.isKey) {
      // Twice on the path: JSON.parse keeps the last; simpler to let it.
      if (found) return DECLINE;
      found = true;
      i = level + 1 === t.path.length ? records(b, valueStart, t) : pathObject(b, valueStart, t, level + 1);
    } else i = value(b, valueStart, level + 1);
    if (i < 0) return i;
    i = afterValue(b, i);
    const d = b[i];
    if (d === COMMA) i = afterValue(b, i + 1);
    else if (d === CLOSE_OBJECT) return found ? i + 1 : DECLINE;
    else return -1;
  }
}

const encoder = new TextEncoder();

/** What to look for: the keys down to the records array, and a field of each record. */
export interface ScanTarget {
  path: Uint8Array[];
  field: Uint8Array | undefined;
}

/** Compiles a records path (`data`, `result.items`, `''` for the body itself) and a field name once. */
export function scanTarget(path: string, field?: string): ScanTarget {
  return {
    path: path === '' ? [] : path.split('.').map((key) => encoder.encode(key)),
    field: field === undefined ? undefined : encoder.encode(field),
  };
}

/**
 * Scans a body for its records: the page as NDJSON (made in the body's own buffer), its envelope and
 * its greatest cursor. `undefined` when the body is not valid JSON (or not UTF-8), or when the fast
 * path declines it (see the module's comment); the caller then parses it.
 */
export function scanPage(
  body: Buffer,
  target: ScanTarget,
  cursorType: IncrementalDefinition['cursorType'] = 'iso',
): ScannedPage | undefined {
  if (!isUtf8(body)) return undefined;
  const t: Target = {
    ...target,
    arrayStart: -1,
    arrayEnd: -1,
    bounds: [],
    fields: [],
    escaped: false,
    isKey: false,
  };
  let i = skipWhitespace(body, 0);
  i = t.path.length === 0 ? records(body, i, t) : pathObject(body, i, t, 0);
  if (i < 0 || skipWhitespace(body, i) !== body.length) return undefined;
  const count = t.bounds.length / 2;
  // In this order: the envelope and the cursors read the body before it becomes NDJSON.
  const envelope =
    t.path.length === 0
      ? []
      : JSON.parse(`${body.toString('utf8', 0, t.arrayStart)}[]${body.toString('utf8', t.arrayEnd)}`);
  const maxCursor = t.field ? maxScannedCursor(body, t.fields, count, cursorType) : undefined;
  const ndjson = linesInPlace(body, t.bounds, count);
  return maxCursor === undefined ? { count, ndjson, envelope } : { count, ndjson, envelope, maxCursor };
}

/**
 * The records as NDJSON, made in place: the body itself is rewritten and a view of it returned, so
 * that a page is never copied. Line breaks inside a record can only be whitespace between tokens (a
 * string cannot hold a raw one), so they become spaces; the comma and whitespace between two records
 * become spaces and a line break; the byte after the last record (whitespace or the array's `]`)
 * becomes the last line break.
 */
function linesInPlace(body: Buffer, bounds: readonly number[], count: number): Buffer {
  if (count === 0) return Buffer.alloc(0);
  const from = bounds[0]!;
  const to = bounds[2 * count - 1]!;
  const out = body.subarray(from, to + 1);
  for (const breakChar of [NEWLINE, RETURN]) {
    for (let at = out.indexOf(breakChar); at !== -1; at = out.indexOf(breakChar, at + 1)) out[at] = SPACE;
  }
  for (let k = 1; k < count; k++) {
    const gapStart = bounds[2 * k - 1]! - from;
    const gapEnd = bounds[2 * k]! - from;
    if (gapEnd - gapStart > 1) out.fill(SPACE, gapStart, gapEnd - 1);
    out[gapEnd - 1] = NEWLINE;
  }
  out[out.length - 1] = NEWLINE;
  return out;
}

/** Line `index` of NDJSON (`-1`: the last), parsed: a record for a paginator that reads one. */
export function lineAt(ndjson: Buffer, count: number, index: number): unknown {
  const k = index < 0 ? count + index : index;
  if (k < 0 || k >= count) return undefined;
  let start = 0;
  if (k === count - 1) start = ndjson.lastIndexOf(NEWLINE, ndjson.length - 2) + 1;
  else for (let n = 0; n < k; n++) start = ndjson.indexOf(NEWLINE, start) + 1;
  return JSON.parse(ndjson.toString('utf8', start, ndjson.indexOf(NEWLINE, start)));
}
