/**
 * The first bytes of a stream without consuming them: read until `bytes` are in (or the stream
 * ends), then put them back, so that whoever reads the stream next gets it whole.
 */
import { Readable } from 'node:stream';

export interface Peeked {
  /** Up to `bytes` (more if one chunk held more) of the stream's start. */
  head: Buffer;
  /** The stream, from its first byte again. */
  stream: Readable;
}

export function peek(stream: Readable, bytes: number): Promise<Peeked> {
  return new Promise<Peeked>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (ended: boolean) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      const head = Buffer.concat(chunks, length);
      if (ended) return resolve({ head, stream: Readable.from(length > 0 ? [head] : []) });
      stream.pause();
      stream.unshift(head);
      resolve({ head, stream });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= bytes) done(false);
    };
    const onEnd = () => done(true);
    const onError = (error: Error) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      reject(error);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume(); // a 'data' listener alone does not restart a stream paused before (a peek before this one)
  });
}
