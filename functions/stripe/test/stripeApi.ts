/**
 * A Stripe API double on loopback, shaped as docs.stripe.com documents it: list objects
 * `{ object: "list", url, has_more, data }` newest first, `limit` (1–100), `starting_after`,
 * `created[gte]`/`created[lt]`, `Request-Id` and `Stripe-Version` headers, the error object
 * `{ error: { type, code, message, param, doc_url, request_log_url } }` with `Stripe-Should-Retry`,
 * and 429 rate limits. `/v1/events` as docs.stripe.com/api/events/list documents it: event objects
 * `{ id, object: "event", api_version, created, data: { object, previous_attributes }, livemode,
 * pending_webhooks, request, type }` newest first, the same list paging, `type` (a name, or a group
 * with `*`) or `types[]` (up to 20 names, not both), `created[gte|gt|lte|lt]`, and only the events of
 * the last 30 days ("List events, going back up to 30 days").
 */
import type { ApiReply, ApiRequest } from '@tributary/testkit';

type Json = Record<string, unknown>;

export interface StripeData {
  charges: Json[];
  customers: Json[];
  invoices: Json[];
  /** Events, in any order (listed newest first); older than 30 days they are no longer listed. */
  events: Json[];
}

/** How long Stripe lists events. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;

let eventSeq = 0;
/** An event as Stripe sends it: `data.object` is the object after the change. */
export function makeEvent(type: string, object: Json, created: number, previous: Json = {}): Json {
  return {
    id: `evt_1Q${(++eventSeq).toString(36).padStart(14, '0')}`,
    object: 'event',
    api_version: '2024-06-20',
    created,
    data: { object, previous_attributes: previous },
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export interface StripeFaults {
  /** Answer the n-th request (1-based) to these resources with a 429. */
  rateLimitOn: Map<string, number>;
  /** Resources answered with a 400 invalid_request_error. */
  invalidOn: Set<string>;
  /** Answer the n-th request to these resources with a 409 lock_timeout (Stripe-Should-Retry: true). */
  lockTimeoutOn: Map<string, number>;
  /** Resources answered with a 500 api_error that Stripe says not to retry. */
  doNotRetryOn: Set<string>;
}

const T0 = Date.parse('2026-11-01T00:00:00Z') / 1000;
const hex = (n: number, len = 14) => n.toString(36).padStart(len, '0');

export function makeCharge(i: number, created = T0 + i * 60): Json {
  return {
    id: `ch_3Q${hex(i)}`,
    object: 'charge',
    amount: 1000 + i,
    amount_captured: 1000 + i,
    amount_refunded: 0,
    balance_transaction: `txn_3Q${hex(i)}`,
    billing_details: {
      address: { city: 'Lisbon', country: 'PT', line1: null, line2: null, postal_code: null, state: null },
      email: `buyer${i}@example.com`,
      name: `Buyer ${i}`,
      phone: null,
    },
    captured: true,
    created,
    currency: 'eur',
    customer: `cus_${hex(i % 50)}`,
    livemode: false,
    metadata: {},
    paid: true,
    payment_method_details: {
      card: { brand: 'visa', last4: '4242', exp_month: 8, exp_year: 2030 },
      type: 'card',
    },
    status: 'succeeded',
  };
}

export function makeData(charges: number, customers: number, invoices: number): StripeData {
  return {
    events: [],
    charges: Array.from({ length: charges }, (_, i) => makeCharge(i)),
    customers: Array.from({ length: customers }, (_, i) => ({
      id: `cus_${hex(i)}`,
      object: 'customer',
      address: null,
      balance: 0,
      created: T0 + i * 120,
      currency: 'eur',
      email: `customer${i}@example.com`,
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null },
      livemode: false,
      metadata: { tier: i % 2 ? 'gold' : 'silver' },
      name: `Customer ${i}`,
    })),
    invoices: Array.from({ length: invoices }, (_, i) => ({
      id: `in_1Q${hex(i)}`,
      object: 'invoice',
      amount_due: 5000,
      amount_paid: 5000,
      created: T0 + i * 3600,
      currency: 'eur',
      customer: `cus_${hex(i)}`,
      lines: {
        object: 'list',
        data: [{ id: `il_1Q${hex(i)}`, object: 'line_item', amount: 5000, currency: 'eur', quantity: 1 }],
        has_more: false,
        url: `/v1/invoices/in_1Q${hex(i)}/lines`,
      },
      status: 'paid',
    })),
  };
}

/** `now` (unix ms) decides which events are still listed. */
export function stripeRoute(data: StripeData, apiKey: string, faults: StripeFaults, now = () => Date.now()) {
  const hits = new Map<string, number>();
  let seq = 0;
  const headers = (extra: Record<string, string> = {}) => ({
    'request-id': `req_${(++seq).toString(36).padStart(14, '0')}`,
    'stripe-version': '2024-06-20',
    'access-control-allow-origin': '*',
    ...extra,
  });
  const error = (status: number, error: Json, retry: boolean): ApiReply => ({
    status,
    headers: headers({ 'stripe-should-retry': String(retry) }),
    body: { error: { ...error, request_log_url: `https://dashboard.stripe.com/test/logs/req_${seq}` } },
  });

  return (req: ApiRequest): ApiReply => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return error(
        401,
        { type: 'invalid_request_error', message: `Invalid API Key provided: ${'*'.repeat(8)}` },
        false,
      );
    }
    const m = /^\/v1\/(charges|customers|invoices|events)$/.exec(req.path);
    if (!m)
      return error(
        404,
        { type: 'invalid_request_error', message: `Unrecognized request URL (GET: ${req.path}).` },
        false,
      );
    const resource = m[1] as keyof StripeData;
    const n = (hits.get(resource) ?? 0) + 1;
    hits.set(resource, n);
    if (faults.rateLimitOn.get(resource) === n) {
      return error(
        429,
        {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message:
            'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
          doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        },
        true,
      );
    }
    if (faults.lockTimeoutOn.get(resource) === n) {
      return error(
        409,
        {
          type: 'invalid_request_error',
          code: 'lock_timeout',
          message:
            'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.',
          doc_url: 'https://stripe.com/docs/error-codes/lock-timeout',
        },
        true,
      );
    }
    if (faults.doNotRetryOn.has(resource)) {
      return error(500, { type: 'api_error', message: 'An unknown error occurred' }, false);
    }
    if (faults.invalidOn.has(resource)) {
      return error(
        400,
        {
          type: 'invalid_request_error',
          code: 'parameter_invalid_integer',
          param: 'created[gte]',
          message: 'Invalid integer: yesterday',
          doc_url: 'https://stripe.com/docs/error-codes/parameter-invalid-integer',
        },
        false,
      );
    }

    const limit = Number(req.query.get('limit') ?? 10);
    if (!(limit >= 1 && limit <= 100)) {
      return error(
        400,
        {
          type: 'invalid_request_error',
          code: 'parameter_invalid_integer',
          param: 'limit',
          message: 'Invalid integer',
        },
        false,
      );
    }
    const bounds: Array<[string, (c: number, v: number) => boolean]> = [
      ['created[gte]', (c, v) => c >= v],
      ['created[gt]', (c, v) => c > v],
      ['created[lte]', (c, v) => c <= v],
      ['created[lt]', (c, v) => c < v],
    ];
    const tests: Array<(r: Json) => boolean> = [];
    for (const [param, test] of bounds) {
      const raw = req.query.get(param);
      if (raw === null) continue;
      if (!/^\d+$/.test(raw)) {
        return error(
          400,
          {
            type: 'invalid_request_error',
            code: 'parameter_invalid_integer',
            param,
            message: `Invalid integer: ${raw}`,
          },
          false,
        );
      }
      tests.push((r) => test(r.created as number, Number(raw)));
    }
    if (resource === 'events') {
      const refused = eventFilters(req.query, tests, now());
      if (refused) return error(400, refused, false);
    }
    const all = [...data[resource]]
      .filter((r) => tests.every((t) => t(r)))
      .sort((a, b) => (b.created as number) - (a.created as number));
    const after = req.query.get('starting_after');
    let start = 0;
    if (after) {
      const i = all.findIndex((r) => r.id === after);
      if (i < 0)
        return error(
          400,
          {
            type: 'invalid_request_error',
            code: 'resource_missing',
            param: 'starting_after',
            message: `No such ${resource.slice(0, -1)}: '${after}'`,
          },
          false,
        );
      start = i + 1;
    }
    const page = all.slice(start, start + limit);
    return {
      headers: headers(),
      body: { object: 'list', url: `/v1/${resource}`, has_more: start + limit < all.length, data: page },
    };
  };
}

/**
 * `/v1/events` filters: `type` (a name, or a group with `*`, e.g. `invoice.*`) or `types[]` (up to 20
 * names; `types[0]`… as Stripe's own clients encode arrays), not both; only the last 30 days.
 * Returns Stripe's error object when the parameters are refused.
 */
function eventFilters(
  query: URLSearchParams,
  tests: Array<(r: Json) => boolean>,
  nowMs: number,
): Json | undefined {
  const types = [...query.entries()].filter(([k]) => /^types\[\d*\]$/.test(k)).map(([, v]) => v);
  const type = query.get('type');
  if (type !== null && types.length > 0) {
    return {
      type: 'invalid_request_error',
      param: 'types',
      message: 'You may pass either type or types, but not both.',
    };
  }
  if (types.length > 20) {
    return {
      type: 'invalid_request_error',
      param: 'types',
      message: 'types may contain at most 20 event types.',
    };
  }
  if (type !== null) {
    const pattern = new RegExp(`^${type.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
    tests.push((e) => pattern.test(e.type as string));
  }
  if (types.length > 0) tests.push((e) => types.includes(e.type as string));
  const oldest = Math.floor(nowMs / 1000) - EVENT_RETENTION_SECONDS;
  tests.push((e) => (e.created as number) >= oldest);
  return undefined;
}
