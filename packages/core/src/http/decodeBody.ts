/**
 * A response body as the server meant it: `content-encoding` gzip, deflate (zlib-wrapped or raw)
 * or br decoded in one pass off the event loop; no encoding, `identity` or one we never asked for
 * left as sent. A stream that ends early is a `truncated body`, one that does not decode is named so.
 */
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';

/** What a body could not be decoded for: `truncated body` or `corrupt <encoding> body`. */
export class UndecodableBody extends Error {
  override readonly name = 'UndecodableBody';

  constructor(
    readonly reason: string,
    cause: unknown,
  ) {
    super(reason, { cause });
  }
}

const decoders: Record<string, (body: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  br: promisify(brotliDecompress),
  // RFC 9110 says zlib-wrapped, some servers send raw deflate: a zlib header's low nibble is 8 (deflate).
  deflate: (body) => ((body[0]! & 0x0f) === 0x08 ? promisify(inflate)(body) : promisify(inflateRaw)(body)),
};

export async function decodeBody(
  body: Buffer,
  contentEncoding: string | string[] | undefined,
): Promise<Buffer> {
  if (body.length === 0 || contentEncoding === undefined) return body;
  const encoding = String(contentEncoding).trim().toLowerCase();
  const decode = decoders[encoding];
  if (!decode) return body;
  try {
    return await decode(body);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const truncated =
      code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String((error as Error).message));
    throw new UndecodableBody(truncated ? 'truncated body' : `corrupt ${encoding} body`, error);
  }
}
