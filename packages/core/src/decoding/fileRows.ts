/**
 * A streamed file's records in batches: the body's parts (`compression.ts`), each piped through
 * the stream's decoder, gathered into batches of up to `rows` records or about `bytes` of the
 * file, with backpressure all the way to the socket: a batch is decoded only when the one before
 * was taken. The first `skip` records (landed by an earlier invocation) are read and dropped.
 */
import { pipeline, type Readable, Transform } from 'node:stream';
import type { StreamDefinition } from '../definition/schema.ts';
import type { ApiRecord } from '../http/readTypes.ts';
import type { ResponseHeaders } from '../http/types.ts';
import { fileParts } from './compression.ts';
import type { DecodeWhere, RecordTransform } from './types.ts';

/** A file page's size: at most this many records… @default 10000 */
export const FILE_PAGE_ROWS = 10_000;
/** …or about this many bytes of the (decompressed) file (a record as objects takes a few times its bytes). @default 1 MiB */
export const FILE_PAGE_BYTES = 1024 * 1024;

export interface FileRowsOptions {
  body: Readable;
  headers: ResponseHeaders;
  compression: StreamDefinition['compression'];
  decode: RecordTransform;
  where: DecodeWhere;
  /** Records to drop from the start (already landed). */
  skip: number;
  rows?: number;
  bytes?: number;
}

export async function* fileRows(options: FileRowsOptions): AsyncGenerator<ApiRecord[]> {
  const { rows = FILE_PAGE_ROWS, bytes = FILE_PAGE_BYTES } = options;
  let skip = options.skip;
  for await (const part of fileParts(options.body, options.compression, options.headers, options.where)) {
    const where = part.entry
      ? { ...options.where, url: `${options.where.url} (${part.entry})` }
      : options.where;
    let read = 0;
    part.bytes.on('data', (chunk: Buffer) => {
      read += chunk.length;
    });
    const batches = pipeline(
      part.bytes,
      await options.decode(where),
      batcher(rows, bytes, () => read),
      () => {},
    );
    for await (const batch of batches as AsyncIterable<ApiRecord[]>) {
      if (skip >= batch.length) {
        skip -= batch.length;
        continue;
      }
      yield skip > 0 ? batch.slice(skip) : batch;
      skip = 0;
    }
  }
}

/** Records in, arrays of records out: a batch closes at `rows` records or `bytes` more of the file read. */
function batcher(rows: number, bytes: number, read: () => number): Transform {
  let batch: ApiRecord[] = [];
  let from = 0;
  return new Transform({
    objectMode: true,
    readableHighWaterMark: 1, // one batch waits for the reader, no more
    transform(record: ApiRecord, _encoding, done) {
      batch.push(record);
      if (batch.length >= rows || read() - from >= bytes) {
        this.push(batch);
        batch = [];
        from = read();
      }
      done();
    },
    flush(done) {
      if (batch.length > 0) this.push(batch);
      done();
    },
  });
}
