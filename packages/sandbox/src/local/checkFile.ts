/**
 * ➕ The sections of `pnpm check` that depend on how a stream asks and decodes: the body a POST/PUT
 * sent (credentials masked), and, for a streamed file (decoder jsonl or csv), the decoder, the
 * columns found and the rows of the first page in place of the records path (a file has none), and
 * where the next page would start when the file goes on past the first page.
 */
import type { StreamDefinition } from '@tributary/core';
import { type Page, REDACTED, type Redactor } from '@tributary/core/definition';
import { looksSecret, maskRecord } from './checkMasking.ts';

/** Lines shown of a body at most. */
const BODY_LINES = 30;

/** The body a request sent, masked: JSON by key (secret-looking keys), a form by field, then the secret's values. */
export function bodyLines(
  body: string | undefined,
  contentType: string | undefined,
  redactor: Redactor,
): string[] {
  if (body === undefined || body === '') return [];
  let text: string;
  if (/json/i.test(contentType ?? '')) {
    try {
      text = JSON.stringify(maskRecord(JSON.parse(body)), null, 2);
    } catch {
      text = body;
    }
  } else if (/x-www-form-urlencoded/i.test(contentType ?? '')) {
    text = [...new URLSearchParams(body)].map(([k, v]) => `${k}=${looksSecret(k) ? REDACTED : v}`).join('&');
  } else text = body;
  const all = redactor.redact(text).split('\n');
  const lines = [
    '    body (secret-looking values masked):',
    ...all.slice(0, BODY_LINES).map((l) => `      ${l}`),
  ];
  if (all.length > BODY_LINES) lines.push(`      … (${all.length - BODY_LINES} more lines)`);
  return lines;
}

/** Whether the stream's body is a streamed file (its records are the file's rows). */
export const isFileStream = (def: StreamDefinition) => def.decoder.type !== 'json';

/** A file stream's decoder, the columns found and the first page's rows (instead of a records path). */
export function fileLines(def: StreamDefinition, page: Page, lines: string[]): void {
  const { decoder } = def;
  const compression = def.compression === 'auto' ? 'auto (by content type and first bytes)' : def.compression;
  if (decoder.type === 'csv') {
    const options = [`delimiter ${JSON.stringify(decoder.delimiter)}`];
    if (decoder.quote !== '"') options.push(`quote ${JSON.stringify(decoder.quote)}`);
    lines.push(`  decoder: csv (${options.join(', ')}), compression ${compression}`);
    const first = page.records[0];
    const from = decoder.columns ? 'from the definition (columns)' : 'the header row';
    if (decoder.columns) lines.push(`  columns ${from}: ${decoder.columns.join(', ')}`);
    else if (first) lines.push(`  columns (${from}): ${Object.keys(first).join(', ')}`);
    else lines.push(`  columns (${from}): none read (the file has no rows)`);
  } else {
    lines.push(`  decoder: ${decoder.type}, compression ${compression}`);
    const first = page.records[0];
    if (first) lines.push(`  keys of the first row: ${Object.keys(first).join(', ')}`);
  }
  lines.push(`  rows: ${page.records.length} on the first page (a page holds up to 10,000 rows of the file)`);
}

/** Where the next page starts when it is inside the same file (`r`: its rows landed), else undefined. */
export function fileNext(page: Page): string | undefined {
  const r = (page.next as { r?: unknown } | null)?.r;
  if (typeof r !== 'number') return undefined;
  return `the same file again, from row ${r + 1} (the file goes on past the first page; the ${r} rows before are dropped)`;
}
