/**
 * Stripe API (https://docs.stripe.com/api): charges, customers and invoices. List endpoints return
 * `{ object: "list", data: [...], has_more }`, newest first; the next page starts after the last
 * record's `id`.
 */
import { defineSource } from '@tributary/core';

/** `?limit=100` (Stripe's maximum), `starting_after=<last id>` while `has_more`; created in the window. */
const list = (resource: string) =>
  ({
    path: `/v1/${resource}`,
    params: { limit: 100 },
    records: 'data',
    paginator: { type: 'cursor', param: 'starting_after', lastRecordPath: 'id', hasMorePath: 'has_more' },
    primaryKey: 'id',
    incremental: {
      cursorField: 'created',
      cursorType: 'unix',
      params: { 'created[gte]': '{since:unix}', 'created[lt]': '{until:unix}' },
    },
  }) as const;

export const source = defineSource({
  name: 'stripe',
  baseUrl: 'https://api.stripe.com',
  auth: { type: 'bearer', secretKey: 'api_key' },
  // Live mode allows 100 read requests/second (test mode 25); list endpoints count fully.
  rateLimit: { requestsPerSecond: 20, concurrency: 2 },
  // As Stripe's own clients decide: Stripe-Should-Retry first, then 409 (a lock or idempotency
  // conflict) retried, 429 waited out (the defaults also retry 5xx).
  responseRules: [
    { status: ['4xx', '5xx'], headers: { 'stripe-should-retry': 'false' }, action: 'fail' },
    { status: ['4xx', '5xx'], headers: { 'stripe-should-retry': 'true' }, action: 'retry' },
    { status: 409, action: 'retry' },
    { status: 429, action: 'rateLimited' },
  ],
  streams: {
    charges: list('charges'),
    customers: list('customers'),
    invoices: list('invoices'),
  },
});
