/**
 * Stripe API (https://docs.stripe.com/api): charges, customers and invoices. List endpoints return
 * `{ object: "list", data: [...], has_more }`, newest first; the next page starts after the last
 * record's `id`.
 *
 * Stripe objects change long after their `created` (an invoice paid, a charge refunded, a customer's
 * email), so each stream follows Stripe's events (https://docs.stripe.com/api/events/list): the
 * objects the events carry (`data.object`, the object after the change) land as new versions, with
 * `version_at` = the event's `created`. Stripe lists events of the last 30 days only: a first run, or
 * a watermark older than that, reads the object list in full instead (`version_at` = the run's until).
 */
import { defineSource } from '@tributary/core';

/** `limit=100` (Stripe's maximum), `starting_after=<last id>` while `has_more`. */
const pages = {
  params: { limit: 100 },
  records: 'data',
  paginator: { type: 'cursor', param: 'starting_after', lastRecordPath: 'id', hasMorePath: 'has_more' },
} as const;

/** The event types whose `data.object` is an object of the stream (`types[]`: at most 20). */
const EVENT_TYPES = {
  charge: ['captured', 'expired', 'failed', 'pending', 'refunded', 'succeeded', 'updated'],
  customer: ['created', 'deleted', 'updated'],
  // Not invoice.upcoming: its object is a preview without an id.
  invoice: [
    'created',
    'deleted',
    'finalization_failed',
    'finalized',
    'marked_uncollectible',
    'overdue',
    'paid',
    'payment_action_required',
    'payment_failed',
    'payment_succeeded',
    'sent',
    'updated',
    'voided',
    'will_be_due',
  ],
} as const;

const list = (resource: string, object: keyof typeof EVENT_TYPES) =>
  ({
    path: `/v1/${resource}`,
    ...pages,
    primaryKey: 'id',
    incremental: {
      cursorField: 'version_at',
      cursorType: 'unix',
      // Events are listed by `created`, inclusive; 10 minutes again cover an event that becomes
      // listable late. Versions read twice merge on `id`.
      lookbackSeconds: 600,
      changes: {
        path: '/v1/events',
        ...pages,
        params: {
          ...pages.params,
          'types[]': EVENT_TYPES[object].map((type) => `${object}.${type}`),
          'created[gte]': '{since:unix}',
          'created[lt]': '{until:unix}',
        },
        record: 'data.object',
        changedAt: 'created',
        retentionSeconds: 30 * 24 * 3600,
      },
    },
    // Only objects of the stream (a defence: the types above carry nothing else).
    transform: (record: Record<string, unknown>) => (record.object === object ? record : undefined),
  }) as const;

export const source = defineSource({
  name: 'stripe',
  baseUrl: 'https://api.stripe.com',
  auth: { type: 'bearer', secretKey: 'api_key' },
  // Live mode allows 100 read requests/second (test mode 25); list endpoints count fully.
  rateLimit: { requestsPerSecond: 20, concurrency: 2 },
  // As Stripe's own clients decide: Stripe-Should-Retry first, then 409 (a lock or idempotency
  // conflict) retried, 429 waited out (the defaults also retry 5xx).
  // A refused key is named as one (AuthError), though Stripe marks its 401 Stripe-Should-Retry: false.
  responseRules: [
    { status: 401, action: 'refreshAuth' },
    { status: ['4xx', '5xx'], headers: { 'stripe-should-retry': 'false' }, action: 'fail' },
    { status: ['4xx', '5xx'], headers: { 'stripe-should-retry': 'true' }, action: 'retry' },
    { status: 409, action: 'retry' },
    { status: 429, action: 'rateLimited' },
  ],
  streams: {
    charges: list('charges', 'charge'),
    customers: list('customers', 'customer'),
    invoices: list('invoices', 'invoice'),
  },
});
