/**
 * The JSON grammar of the scan (`scanRecords.ts`), byte by byte: exactly what `JSON.parse` accepts
 * (a differential test holds the two together), materializing nothing. Each function takes the body
 * as `b` and an offset, and answers the offset after what it read, or -1 when that is not JSON.
 * (A parameter is cheaper to read than a module variable.) Offsets past the body's end read
 * `undefined`, which no comparison matches, so bounds need no separate checks.
 */

import { isUtf8 } from 'node:buffer';

/** Deeper documents are left to `JSON.parse` (the scan is recursive). */
export const MAX_DEPTH = 512;

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;

export const WHITESPACE = new Uint8Array(256);
WHITESPACE[0x20] = WHITESPACE[0x09] = WHITESPACE[0x0a] = WHITESPACE[0x0d] = 1;
/** Bytes a string scan stops at: the quote, the backslash, and control characters (invalid raw). */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = STRING_STOP[BACKSLASH] = 1;
/** Characters allowed after a backslash, besides `u`. */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/** Told by `string` whether a key had a backslash (keys are compared byte for byte otherwise). */
export interface EscapeFlag {
  escaped: boolean;
}

export function skipWhitespace(b: Uint8Array, i: number): number {
  while (WHITESPACE[b[i]!] === 1) i++;
  return i;
}

/**
 * From just after an opening quote to just after the closing one; -1 if not a valid string. With
 * `flag` (reset by the caller), a backslash in the string sets `flag.escaped`.
 */
export function string(b: Uint8Array, i: number, flag?: EscapeFlag): number {
  for (;;) {
    while (STRING_STOP[b[i]!] === 0) i++;
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) return -1; // a control character, or the end of the body
    if (flag !== undefined) flag.escaped = true;
    const e = b[i + 1];
    if (e === 0x75) {
      if (!(HEX[b[i + 2]!] && HEX[b[i + 3]!] && HEX[b[i + 4]!] && HEX[b[i + 5]!])) return -1;
      i += 6;
    } else if (e !== undefined && ESCAPES[e] === 1) i += 2;
    else return -1;
  }
}

function digits(b: Uint8Array, i: number): number {
  let c = b[i];
  while (c !== undefined && c >= 0x30 && c <= 0x39) c = b[++i];
  return i;
}

function number(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  const first = b[i];
  if (first === 0x30) i++;
  else if (first !== undefined && first >= 0x31 && first <= 0x39) i = digits(b, i + 1);
  else return -1;
  if (b[i] === 0x2e) {
    const end = digits(b, i + 1);
    if (end === i + 1) return -1;
    i = end;
  }
  const e = b[i];
  if (e === 0x65 || e === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    const end = digits(b, i);
    if (end === i) return -1;
    i = end;
  }
  return i;
}

/** After a value: the offset of the next `,` or closing bracket (whitespace skipped). */
export function afterValue(b: Uint8Array, i: number): number {
  return WHITESPACE[b[i]!] === 1 ? skipWhitespace(b, i) : i;
}

/** Any JSON value starting at `i` (no whitespace before it); the offset after it, or -1. */
export function value(b: Uint8Array, i: number, depth: number): number {
  const c = b[i];
  if (c === QUOTE) return string(b, i + 1);
  if (c === OPEN_OBJECT) return container(b, i, depth, CLOSE_OBJECT);
  if (c === OPEN_ARRAY) return container(b, i, depth, CLOSE_ARRAY);
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1; // true
  if (c === 0x66)
    return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1; // false
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1; // null
  return number(b, i);
}

/**
 * An object or an array at `i`, up to its `close`: values separated by commas, each of an object's
 * after its key and a colon.
 */
function container(b: Uint8Array, i: number, depth: number, close: number): number {
  if (depth >= MAX_DEPTH) return -1;
  i = skipWhitespace(b, i + 1);
  if (b[i] === close) return i + 1;
  for (;;) {
    if (close === CLOSE_OBJECT) {
      if (b[i] !== QUOTE) return -1;
      i = afterValue(b, string(b, i + 1));
      if (i < 0 || b[i] !== COLON) return -1;
      i = afterValue(b, i + 1);
    }
    i = value(b, i, depth + 1);
    if (i < 0) return -1;
    i = afterValue(b, i);
    const d = b[i];
    if (d === COMMA) i = afterValue(b, i + 1);
    else if (d === close) return i + 1;
    else return -1;
  }
}

/** Whether a whole body is UTF-8 and valid JSON, by the same scan (what the differential test checks). */
export function isJson(body: Uint8Array): boolean {
  if (!isUtf8(body)) return false;
  const i = value(body, skipWhitespace(body, 0), 0);
  return i >= 0 && skipWhitespace(body, i) === body.length;
}
