/**
 * A loopback API for the landing tests: `/orders` pages records with a cursor
 * (`?cursor=<offset>` → `{ data, next_cursor, has_more }`), filtered by `?since=` on `updated_at`;
 * `/orders/<id>/lines` pages each order's lines the same way. Hooks let a test slow, fail or count
 * pages.
 */
import { randomBytes } from 'node:crypto';
import { type FixtureApi, startFixtureApi } from '@tributary/testkit';

export type Order = {
  id: number;
  updated_at: string;
  name: string;
  note: string;
};

/**
 * `count` orders, `updated_at` increasing one second each from `start`. With `noiseBytes`, each
 * carries that many random (incompressible) bytes, base64: parts then exceed S3's 5 MiB multipart
 * threshold even gzipped.
 */
export function makeOrders(
  count: number,
  start = Date.parse('2026-11-01T00:00:00Z'),
  noiseBytes = 0,
): Order[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    updated_at: new Date(start + i * 1000).toISOString(),
    name: `order ${i + 1} — ünïcödé`,
    note:
      noiseBytes > 0
        ? randomBytes(noiseBytes).toString('base64')
        : `n${(i * 2654435761) % 1000003}`.repeat(3),
  }));
}

export interface OrdersApiOptions {
  pageSize: number;
  /** Lines per order for `/orders/<id>/lines` (paged by `linesPageSize`). @default 0 */
  linesPerOrder?: number;
  /** @default 2 */
  linesPageSize?: number;
  /** Answer 500 to the n-th orders page request (0-based), every time it is asked. */
  failPage?: number;
}

export async function startOrdersApi(orders: Order[], options: OrdersApiOptions): Promise<FixtureApi> {
  const linesPerOrder = options.linesPerOrder ?? 0;
  const linesPageSize = options.linesPageSize ?? 2;
  return startFixtureApi((req) => {
    const offset = Number(req.query.get('cursor') ?? '0');
    const lines = /^\/orders\/(\d+)\/lines$/.exec(req.path);
    if (lines) {
      const orderId = Number(lines[1]);
      const all = Array.from({ length: linesPerOrder }, (_, i) => ({
        line_id: orderId * 1000 + i,
        order_id: orderId,
      }));
      const data = all.slice(offset, offset + linesPageSize);
      const more = offset + linesPageSize < all.length;
      return { body: { data, next_cursor: more ? String(offset + linesPageSize) : null, has_more: more } };
    }
    if (req.path !== '/orders') return { status: 404, body: { error: 'not found' } };
    if (options.failPage !== undefined && offset === options.failPage * options.pageSize) {
      return { status: 500, body: { error: 'boom' } };
    }
    const since = req.query.get('since');
    const visible = since ? orders.filter((o) => Date.parse(o.updated_at) >= Date.parse(since)) : orders;
    const data = visible.slice(offset, offset + options.pageSize);
    const more = offset + options.pageSize < visible.length;
    return { body: { data, next_cursor: more ? String(offset + options.pageSize) : null, has_more: more } };
  });
}
