/** The orders API as a Tributary source, with small parts so that a test lands many. */
import { defineSource } from '@tributary/core';

export function ordersSource(
  overrides: {
    partSizeBytes?: number;
    streamConcurrency?: number;
    initialSince?: string;
    /** Requests (and so a child's walks) at once; the default's 4. */
    concurrency?: number;
  } = {},
) {
  return defineSource({
    name: 'orders-api',
    baseUrl: 'https://orders.example.invalid',
    // Fail fast in tests: two attempts, short backoff.
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
    ...(overrides.concurrency !== undefined && { rateLimit: { concurrency: overrides.concurrency } }),
    streams: {
      orders: {
        path: '/orders',
        records: 'data',
        primaryKey: 'id',
        paginator: { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
        incremental: {
          cursorField: 'updated_at',
          params: { since: '{since}' },
          lookbackSeconds: 60,
          ...(overrides.initialSince !== undefined && { initialSince: overrides.initialSince }),
        },
        maxPages: 100_000,
      },
      order_lines: {
        path: '/orders/{parent.id}/lines',
        records: 'data',
        primaryKey: 'line_id',
        paginator: { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
        parent: { stream: 'orders', carry: { parent_id: 'id' } },
        maxPages: 100_000,
      },
    },
    runtime: {
      safetyMarginMs: 60_000,
      partSizeBytes: overrides.partSizeBytes ?? 256 * 1024,
      streamConcurrency: overrides.streamConcurrency ?? 2,
    },
  });
}
