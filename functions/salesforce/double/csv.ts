/**
 * A result set as Bulk API 2.0 writes it: a header row of the selected field names, then one row per
 * record, every value in double quotes (as the "Get Results for a Query Job" example shows it), a
 * quote inside a value doubled, the job's column delimiter and line ending (`columnDelimiter`,
 * `lineEnding` of "Create a Query Job": COMMA, TAB, PIPE, SEMICOLON, CARET, BACKQUOTE; LF, CRLF).
 */
import type { SObject } from './records.ts';

export const DELIMITERS = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
} as const;
export type ColumnDelimiter = keyof typeof DELIMITERS;
export const LINE_ENDINGS = { LF: '\n', CRLF: '\r\n' } as const;
export type LineEnding = keyof typeof LINE_ENDINGS;

const quote = (value: string | null): string => `"${(value ?? '').replace(/"/g, '""')}"`;

export function writeCsv(
  fields: readonly string[],
  rows: readonly SObject[],
  delimiter: ColumnDelimiter = 'COMMA',
  lineEnding: LineEnding = 'LF',
): string {
  const d = DELIMITERS[delimiter];
  const eol = LINE_ENDINGS[lineEnding];
  const lines = [fields.map(quote).join(d)];
  for (const row of rows) lines.push(fields.map((f) => quote(row[f] ?? null)).join(d));
  return lines.join(eol) + eol;
}
