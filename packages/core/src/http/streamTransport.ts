/**
 * One HTTP exchange whose 2xx body is handed back as a stream, not collected (`decoding/readFile.ts`
 * reads a file this way in constant memory). Everything else is `transport.ts`'s: the same agents,
 * redirects and failures; an answer that is not 2xx comes back buffered, as `transmit` gives it, for
 * the response table and the retries. A streamed body comes back `content-encoding`-decoded, with
 * its first 64 KiB also in `body` (what the response table's `bodyContains` reads, as for a
 * buffered body). The total timeout covers the exchange up to those first bytes; after them, a body
 * that sends nothing for `totalMs` is cut off (a file may take longer than any one page).
 */
import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { peek } from '../decoding/peek.ts';
import { buffered, type Cancel, type Hop, type RawResponse, send, type Timeouts } from './exchange.ts';
import type { HttpRequest } from './types.ts';

/** A raw response; a streamed one has `stream` (the whole body) and its first bytes in `body`. */
export interface StreamedRawResponse extends RawResponse {
  stream?: Readable;
}

/** What the response table reads of a body (`classifyResponse` looks at its first 64 KiB). */
export const CLASSIFIED_BYTES = 64 * 1024;

const streamed = (status: number) => status >= 200 && status < 300;

export function transmitStream(
  request: HttpRequest,
  timeouts: Timeouts,
  signal?: AbortSignal,
): Promise<StreamedRawResponse> {
  return send(
    request,
    timeouts,
    signal,
    (hop, cancel) =>
      hop.response
        ? streamedBody(hop, hop.response, timeouts.totalMs, signal, cancel)
        : buffered(hop, cancel),
    streamed,
  );
}

/** A 2xx response's body as a stream, its first bytes read (within the total timeout) into `body`. */
async function streamedBody(
  hop: Hop,
  response: IncomingMessage,
  idleMs: number,
  signal: AbortSignal | undefined,
  cancel: Cancel,
): Promise<StreamedRawResponse> {
  const decoded = bodyStream(response, idleMs, signal);
  cancel.onCancel = (reason) => decoded.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  const { head, stream } = await peek(decoded, CLASSIFIED_BYTES);
  cancel.onCancel = undefined;
  if (cancel.cancelled) {
    stream.destroy();
    throw cancel.reason;
  }
  return { status: hop.status, headers: hop.headers, body: head, stream };
}

/**
 * The response's body, `content-encoding` decoded (gzip, br, zlib deflate), cut off after `idleMs`
 * without data or when `signal` aborts; a body that ends early fails the stream.
 */
function bodyStream(response: IncomingMessage, idleMs: number, signal: AbortSignal | undefined): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'br'
        ? createBrotliDecompress()
        : encoding === 'deflate'
          ? createInflate()
          : undefined;
  const out: Readable = decoder ? pipeline(response, decoder, () => {}) : response;
  response.setTimeout(idleMs, () => response.destroy(new Error(`no data for ${idleMs} ms`)));
  response.on('end', () => {
    if (!response.complete) response.destroy(new Error('truncated body'));
  });
  if (signal) {
    const abort = () => out.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', abort, { once: true });
    out.once('close', () => signal.removeEventListener('abort', abort));
  }
  return out;
}
