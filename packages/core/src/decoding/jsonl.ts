/**
 * JSON Lines / NDJSON: one JSON object per line, streamed. Lines are split on `\n` (a `\r` before it
 * and blank lines are dropped); a line that is not a JSON object is a `MalformedResponseError`
 * naming the stream, the file's URL and the line number.
 */
import { Transform } from 'node:stream';
import * as z from 'zod';
import { MalformedResponseError } from '../errors.ts';
import { type DecodeWhere, decoderKind } from './types.ts';

export const jsonl = decoderKind({
  schema: z.strictObject({ type: z.literal('jsonl') }),
  doc: { decodes: 'JSON Lines / NDJSON, streamed: one JSON object per line', records: 'each line' },
  examples: [{ type: 'jsonl' }],
  generator: { offered: false, instead: "generate the source, then set `decoder: { type: 'jsonl' }`" },
  create: () => (where) => jsonLines(where),
});

const NEWLINE = 0x0a;

function jsonLines(where: DecodeWhere): Transform {
  let rest: Buffer | undefined;
  let line = 0;
  const parse = (bytes: Buffer, push: (record: unknown) => void) => {
    line++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    const text = bytes.toString('utf8', 0, end);
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw malformed(where, line, `not JSON (${(error as Error).message})`, text);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw malformed(
        where,
        line,
        `a JSON ${Array.isArray(value) ? 'array' : typeof value}, not an object`,
        text,
      );
    push(value);
  };
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      try {
        let start = 0;
        let data = chunk;
        if (rest) {
          data = Buffer.concat([rest, chunk]);
          rest = undefined;
        }
        for (let at = data.indexOf(NEWLINE); at >= 0; at = data.indexOf(NEWLINE, start)) {
          parse(data.subarray(start, at), (record) => this.push(record));
          start = at + 1;
        }
        if (start < data.length) rest = Buffer.from(data.subarray(start));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        if (rest) parse(rest, (record) => this.push(record));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

function malformed(where: DecodeWhere, line: number, what: string, text: string): MalformedResponseError {
  return new MalformedResponseError(
    `stream ${where.stream}: line ${line} of the file is ${what}; a jsonl body holds one JSON object per line`,
    { where: { source: where.source, stream: where.stream, url: where.url }, snippet: text.slice(0, 200) },
  );
}
