/**
 * A streamed file's bytes as the decoder wants them: gzip gunzipped (`node:zlib`), a zip's entries
 * one after the other (`fflate`'s streaming `Unzip`: it reads the entries' local headers as they
 * arrive, where `yauzl` needs the central directory at the end, i.e. the whole file first;
 * directories skipped), anything else as is. `auto` decides by the content type
 * (`application/gzip`, `application/x-gzip`, `application/zip`, `application/x-zip-compressed`),
 * else by the first bytes (`1f 8b`: gzip, `PK\x03\x04`: zip). A `content-encoding` is the
 * transport's (always decoded before this). Each part is read to its end before the next is asked for.
 */
import { PassThrough, pipeline, type Readable, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { StreamDefinition } from '../definition/schema.ts';
import { MalformedResponseError } from '../errors.ts';
import { header, type ResponseHeaders } from '../http/types.ts';
import { peek } from './peek.ts';
import type { DecodeWhere } from './types.ts';

/** One decodable part of a file: the whole (decompressed) body, or one zip entry. */
export interface FilePart {
  /** The zip entry's name. */
  entry?: string;
  bytes: Readable;
}

type Compression = StreamDefinition['compression'];

const GZIP_TYPES = new Set(['application/gzip', 'application/x-gzip']);
const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);

/** The compression of a body: as declared, or (`auto`) by its content type, else its first bytes. */
async function detect(
  body: Readable,
  compression: Compression,
  headers: ResponseHeaders,
): Promise<{ kind: 'gzip' | 'zip' | 'none'; body: Readable }> {
  if (compression !== 'auto') return { kind: compression, body };
  const type = (header(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (GZIP_TYPES.has(type)) return { kind: 'gzip', body };
  if (ZIP_TYPES.has(type)) return { kind: 'zip', body };
  const { head, stream } = await peek(body, 4);
  if (head[0] === 0x1f && head[1] === 0x8b) return { kind: 'gzip', body: stream };
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return { kind: 'zip', body: stream };
  return { kind: 'none', body: stream };
}

export async function* fileParts(
  body: Readable,
  compression: Compression,
  headers: ResponseHeaders,
  where: DecodeWhere,
): AsyncGenerator<FilePart> {
  const detected = await detect(body, compression, headers);
  if (detected.kind === 'none') yield { bytes: detected.body };
  else if (detected.kind === 'gzip') yield { bytes: pipeline(detected.body, createGunzip(), () => {}) };
  else yield* zipEntries(detected.body, where);
}

/** A zip's file entries in the archive's order, each a stream, with backpressure from the reader. */
async function* zipEntries(body: Readable, where: DecodeWhere): AsyncGenerator<FilePart> {
  const entries: FilePart[] = [];
  const state: ZipState = { failure: undefined, ended: false, seen: 0, wake: undefined };
  const notify = () => {
    state.wake?.();
    state.wake = undefined;
  };
  // fflate is loaded by the first zip, so that no Lambda's cold init pays for it.
  const fflate = await import('fflate');
  unzipInto(
    fflate,
    body,
    where,
    state,
    (part) => {
      entries.push(part);
      notify();
    },
    notify,
  );
  try {
    for (;;) {
      const next = entries.shift();
      if (next) yield next;
      else if (state.failure) throw state.failure;
      else if (state.ended) break;
      else await new Promise<void>((resolve) => (state.wake = resolve));
    }
    if (state.seen === 0) throw zipError(where, new Error('no file entry in it'));
  } finally {
    if (!state.ended) body.destroy();
  }
}

interface ZipState {
  failure: Error | undefined;
  ended: boolean;
  /** File entries found. */
  seen: number;
  wake: (() => void) | undefined;
}

const zipError = (where: DecodeWhere, error: Error) =>
  new MalformedResponseError(
    `stream ${where.stream}: the zip file does not unzip (${error.message}); check the stream's compression`,
    { where: { source: where.source, stream: where.stream, url: where.url }, snippet: '', cause: error },
  );

/**
 * Pipes the body into fflate's `Unzip`: each file entry goes to `onEntry` as a stream it writes as
 * the entry's bytes arrive; the body is read on only when the entry being written has room.
 */
function unzipInto(
  { Unzip, UnzipInflate }: typeof import('fflate'),
  body: Readable,
  where: DecodeWhere,
  state: ZipState,
  onEntry: (part: FilePart) => void,
  notify: () => void,
): void {
  let current: PassThrough | undefined;
  const fail = (error: Error) => {
    state.failure ??= zipError(where, error);
    current?.destroy(state.failure);
    notify();
  };
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/')) return; // a directory
    state.seen++;
    const out = new PassThrough();
    current = out;
    file.ondata = (error, data, final) => {
      if (error) return fail(error);
      if (data.length > 0) out.write(data);
      if (final) out.end();
    };
    onEntry({ entry: file.name, bytes: out });
    file.start();
  });
  unzip.register(UnzipInflate);
  const feeder = new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        unzip.push(chunk);
      } catch (error) {
        return done(error as Error);
      }
      // The entry being written is full: wait until its reader has taken some.
      if (current?.writableNeedDrain) current.once('drain', () => done());
      else done();
    },
    final(done) {
      try {
        unzip.push(new Uint8Array(0), true);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  pipeline(body, feeder, (error) => {
    // The body broke off (a network failure, for the reader to retry): not the zip's fault.
    if (error && !state.failure) {
      state.failure = error;
      current?.destroy(error);
    } else if (error) fail(error);
    else if (current && !current.writableEnded) fail(new Error('the file ends inside an entry'));
    state.ended = true;
    notify();
  });
}
