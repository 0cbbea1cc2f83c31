/**
 * The bench API as a Tributary source: what a source file for a Stripe-like list endpoint looks
 * like. Incremental on `updated_at` so the run writes a watermark too, as a real run does.
 */
import { defineSource } from '@tributary/core';

export default defineSource({
  name: 'bench-api',
  baseUrl: 'https://api.example.invalid',
  streams: {
    orders: {
      path: '/v1/orders',
      records: 'data',
      primaryKey: 'id',
      paginator: { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
      incremental: { cursorField: 'updated_at' },
      maxPages: 1_000_000,
    },
  },
});
