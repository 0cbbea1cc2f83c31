/**
 * The real-API double: what a SaaS API looks like from a client, not a loopback that answers at once.
 * Each page is answered after a latency (`latencyMs` ± `jitterMs`, uniform, from a seeded generator:
 * the same run sees the same delays), `pageSize` records a page at most, and a strict server-side
 * limit: `limit` requests in any sliding `windowMs` (api/slidingWindow.ts); beyond it, 429 with
 * `Retry-After` (whole seconds, rounded up, as HTTP has it) at once, not counted against the limit.
 *
 * Three list endpoints over the same records, each with `?shard=k` to read one of `shards` slices
 * (a partitioned stream); records keep their global index, so their ids are unique across shards:
 *   GET /v1/orders?cursor=&shard=              { object, data, has_more, next_cursor }    (Stripe-like)
 *   GET /v1/orders?cursor=&since=&until=       the same, only records created in [since, until)
 *                                              (ISO instants; a backfill slice's window)
 *   GET /v1/orders/by-offset?offset=&limit=    { data, total }                            (known total)
 *   GET /v1/orders/by-page?page=&per_page=     { data, page, total_pages }                (known total)
 *
 * Started by startLimitedApi() with fork(); argv[2]: LimitedApiOptions as JSON. IPC: reports
 * `{ port }` when ready; answers `'stats'` with ApiStats and `'reset'` by clearing limit and counts.
 */
import { createServer } from 'node:http';
import { mulberry32 } from '@tributary/sandbox';
import { BASE_TIME, makeRecord } from './records.ts';
import { SlidingWindowLimit } from './slidingWindow.ts';

export interface LimitedApiOptions {
  records: number;
  pageSize: number;
  latencyMs: number;
  jitterMs: number;
  seed: number;
  limit: number;
  windowMs: number;
  shards: number;
}

export interface ApiStats {
  requests: number;
  served: number;
  rejected429: number;
  maxInWindow: number;
  /** Most requests being answered at once (waiting out their latency). */
  maxConcurrent: number;
  firstAt: number;
  lastAt: number;
  /** When the last request arrived (lastAt also moves when a response is sent). */
  lastArrivalAt: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as LimitedApiOptions;
const json = Array.from({ length: opts.records }, (_, i) => JSON.stringify(makeRecord(i)));
const random = mulberry32(opts.seed);
let limit = new SlidingWindowLimit(opts.limit, opts.windowMs);
let stats: ApiStats;
let inFlight = 0;
const reset = () => {
  limit = new SlidingWindowLimit(opts.limit, opts.windowMs);
  stats = {
    requests: 0,
    served: 0,
    rejected429: 0,
    maxInWindow: 0,
    maxConcurrent: 0,
    firstAt: 0,
    lastAt: 0,
    lastArrivalAt: 0,
  };
};
reset();

/** Indexes of the records created in [since, until): record i was created at BASE_TIME + i s. */
function windowRange(since: string, until: string): [number, number] | undefined {
  const a = Date.parse(since);
  const b = Date.parse(until);
  if (!(Number.isFinite(a) && Number.isFinite(b) && a <= b)) return undefined;
  const index = (t: number) => Math.min(opts.records, Math.max(0, Math.ceil((t - BASE_TIME) / 1000)));
  return [index(a), index(b)];
}

function shardRange(shard: string | null): [number, number] | undefined {
  if (shard === null) return [0, opts.records];
  const k = Number(shard);
  if (!Number.isInteger(k) || k < 0 || k >= opts.shards) return undefined;
  return [Math.floor((k * opts.records) / opts.shards), Math.floor(((k + 1) * opts.records) / opts.shards)];
}

const list = (from: number, to: number) => `[${json.slice(from, to).join(',')}]`;
const positive = (v: string | null, fallback: number) => (v === null ? fallback : Number(v));

/** The body for a request, or an error status and message. */
function answer(url: URL): { status: number; body: string } {
  const since = url.searchParams.get('since');
  const until = url.searchParams.get('until');
  const windowed = since !== null || until !== null;
  if (windowed && url.pathname !== '/v1/orders')
    return { status: 400, body: '{"error":"since/until: only on /v1/orders"}' };
  const range = windowed ? windowRange(since ?? '', until ?? '') : shardRange(url.searchParams.get('shard'));
  if (!range)
    return {
      status: 400,
      body: windowed ? '{"error":"since ≤ until, ISO instants"}' : '{"error":"bad shard"}',
    };
  const [lo, hi] = range;
  const q = url.searchParams;
  if (url.pathname === '/v1/orders') {
    const cursor = q.get('cursor');
    const from = cursor ? Number.parseInt(cursor.slice(1), 36) : lo;
    if (cursor && (!cursor.startsWith('c') || !(from >= lo && from < hi)))
      return { status: 400, body: '{"error":"bad cursor"}' };
    const to = Math.min(hi, from + opts.pageSize);
    const next = to < hi ? `c${to.toString(36)}` : null;
    return {
      status: 200,
      body: `{"object":"list","data":${list(from, to)},"has_more":${next !== null},"next_cursor":${JSON.stringify(next)}}`,
    };
  }
  if (url.pathname === '/v1/orders/by-offset') {
    const offset = positive(q.get('offset'), 0);
    const size = positive(q.get('limit'), opts.pageSize);
    if (
      !(
        Number.isInteger(offset) &&
        offset >= 0 &&
        Number.isInteger(size) &&
        size > 0 &&
        size <= opts.pageSize
      )
    )
      return { status: 400, body: `{"error":"offset ≥ 0 and 1 ≤ limit ≤ ${opts.pageSize}"}` };
    const from = Math.min(hi, lo + offset);
    return { status: 200, body: `{"data":${list(from, Math.min(hi, from + size))},"total":${hi - lo}}` };
  }
  if (url.pathname === '/v1/orders/by-page') {
    const page = positive(q.get('page'), 1);
    const size = positive(q.get('per_page'), opts.pageSize);
    if (!(Number.isInteger(page) && page >= 1 && Number.isInteger(size) && size > 0 && size <= opts.pageSize))
      return { status: 400, body: `{"error":"page ≥ 1 and 1 ≤ per_page ≤ ${opts.pageSize}"}` };
    const from = Math.min(hi, lo + (page - 1) * size);
    const totalPages = Math.ceil((hi - lo) / size);
    return {
      status: 200,
      body: `{"data":${list(from, Math.min(hi, from + size))},"page":${page},"total_pages":${totalPages}}`,
    };
  }
  return { status: 404, body: '{"error":"not found"}' };
}

const server = createServer((req, res) => {
  const now = Date.now();
  stats.requests++;
  stats.firstAt ||= now;
  stats.lastAt = now;
  stats.lastArrivalAt = now;
  const admission = limit.admit(now);
  if (!admission.ok) {
    stats.rejected429++;
    res
      .writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(Math.ceil(admission.retryAfterMs / 1000)),
      })
      .end('{"error":"rate limited"}');
    return;
  }
  stats.maxInWindow = Math.max(stats.maxInWindow, limit.maxInWindow);
  const { status, body } = answer(new URL(req.url ?? '/', 'http://api'));
  const delay = Math.max(0, opts.latencyMs + (random() * 2 - 1) * opts.jitterMs);
  inFlight++;
  stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
  setTimeout(() => {
    inFlight--;
    if (status === 200) stats.served++;
    stats.lastAt = Date.now();
    res
      .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      .end(body);
  }, delay);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (m) => {
  if (m === 'stats') process.send?.({ stats });
  if (m === 'reset') {
    reset();
    process.send?.({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
