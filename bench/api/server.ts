/**
 * The loopback API, run in its own process (so its CPU never counts against a contender): serves
 * N records in pages of M with cursor pagination, Stripe-like (`?cursor=` in, `next_cursor` and
 * `has_more` out). Every page is serialized once at start-up; a request only writes a Buffer.
 *
 * Started by startApi.ts with fork(); argv: N M [gzip]. Reports `{ port, pages, bytes }` over IPC when
 * ready. With `gzip` (the transport A/B), every page is also gzipped once at start-up and sent
 * `content-encoding: gzip` to a client that accepts it; `bytes` is then what goes over the wire.
 */
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { pageBody } from './records.ts';

const total = Number(process.argv[2]);
const pageSize = Number(process.argv[3]);
const gzip = process.argv[4] === 'gzip';
const pages: Buffer[] = [];
const gzipped: Buffer[] = [];
let bytes = 0;
for (let from = 0, p = 0; from < total; from += pageSize, p++) {
  const to = Math.min(total, from + pageSize);
  const body = Buffer.from(pageBody(from, to, to < total ? `c${(p + 1).toString(36)}` : null));
  pages.push(body);
  if (gzip) gzipped.push(gzipSync(body));
  bytes += gzip ? gzipped.at(-1)!.length : body.length;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://api');
  if (url.pathname !== '/v1/orders') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const cursor = url.searchParams.get('cursor');
  const index = cursor ? Number.parseInt(cursor.slice(1), 36) : 0;
  const body = pages[index];
  if (!body || (cursor !== null && !cursor.startsWith('c'))) {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad cursor"}');
    return;
  }
  if (gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    const zipped = gzipped[index]!;
    res
      .writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': zipped.length,
      })
      .end(zipped);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ port, pages: pages.length, bytes });
});
process.on('disconnect', () => process.exit(0));
