/**
 * CSV (RFC 4180), streamed through `csv-parse`: a header row names the columns (or `columns`, for a
 * file without one), fields may be quoted (`quote`, delimiters and newlines inside quotes kept),
 * `delimiter` sets the separator, a UTF-8 BOM is dropped, blank lines are skipped. Values land as
 * the strings the file has (no casting: `""` stays `""`). A row with more or fewer fields than the
 * header, or a quote left open, is a `MalformedResponseError` naming the stream, the file's URL and
 * the line; csv-parse's relax options stay off.
 */
import type { CsvError } from 'csv-parse';
import * as z from 'zod';
import { MalformedResponseError } from '../errors.ts';
import { type DecodeWhere, decoderKind } from './types.ts';

export const csv = decoderKind({
  schema: z.strictObject({
    type: z.literal('csv'),
    /** The field separator, one character or more. @default ',' */
    delimiter: z.string().min(1).default(','),
    /** The quote character. @default '"' */
    quote: z.string().length(1).default('"'),
    /** The column names, for a file without a header row (every line is then a row). @default the header row */
    columns: z.array(z.string().min(1)).min(1).optional(),
  }),
  doc: {
    decodes:
      'CSV, streamed (`csv-parse`): header row or `columns`, quoted fields, `delimiter` (default `,`), `quote` (default `"`), BOM dropped; values land as strings; a row of the wrong width is a `MalformedResponseError` naming the line',
    records: 'each row, an object keyed by column',
  },
  examples: [{ type: 'csv' }, { type: 'csv', delimiter: ';' }, { type: 'csv', columns: ['id', 'name'] }],
  generator: { offered: false, instead: "generate the source, then set `decoder: { type: 'csv' }`" },
  check: (definition) =>
    definition.columns && new Set(definition.columns).size !== definition.columns.length
      ? ['columns: a column name is listed twice']
      : [],
  // csv-parse is loaded by the first CSV file, so that no Lambda's cold init pays for it.
  create: (definition) => async (where) => {
    const { CsvError, parse } = await import('csv-parse');
    const parser = parse({
      bom: true,
      delimiter: definition.delimiter,
      quote: definition.quote,
      columns: definition.columns ?? true,
      skip_empty_lines: true,
    });
    // csv-parse's own errors become typed ones that say where and what to do.
    const destroy = parser.destroy.bind(parser);
    parser.destroy = (error?: Error | null) => destroy(error ? typed(error, where, CsvError) : undefined);
    return parser;
  },
});

function typed(error: Error, where: DecodeWhere, csvError: typeof CsvError): Error {
  if (!(error instanceof csvError)) return error;
  const line = (error as CsvError & { lines?: number }).lines;
  const at = line !== undefined ? `line ${line} of the file` : 'the file';
  const what =
    error.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' || error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
      ? 'has a different number of fields than the header (or `columns`)'
      : `does not parse as CSV (${error.code}: ${error.message})`;
  return new MalformedResponseError(
    `stream ${where.stream}: ${at} ${what}; check the stream's decoder (delimiter, quote, columns) against the file`,
    { where: { source: where.source, stream: where.stream, url: where.url }, snippet: '', cause: error },
  );
}
