/**
 * The one Stripe double, as docs.stripe.com documents the API the stripe source calls, used by this
 * source's tests (`stripeRoute`, on loopback) and by the sandbox (`createStripeApi`, in the demo and
 * the local stack):
 * - list objects `{ object: "list", url, has_more, data }` of `/v1/charges|customers|invoices`,
 *   newest first, `limit` (1–100), `starting_after` (the last object's id; an unknown one is a 404
 *   `resource_missing`), `created` and `created[gte|gt|lte|lt]`;
 * - a secret key as bearer (or as the basic-auth user); `Request-Id` and `Stripe-Version` headers;
 *   the error object `{ error: { type, code, message, param, doc_url, request_log_url } }` with
 *   `Stripe-Should-Retry`; 429 rate limits (`rate_limit`), 409 `lock_timeout`; an unknown path is
 *   Stripe's 404 "Unrecognized request URL";
 * - `/v1/events` as docs.stripe.com/api/events/list documents it: event objects `{ id, object:
 *   "event", api_version, created, data: { object, previous_attributes }, livemode,
 *   pending_webhooks, request, type }` newest first, the same list paging, `type` (a name, or a group
 *   with `*`) or `types[]` (up to 20 names, not both), `created[gte|gt|lte|lt]`, and only the events
 *   of the last 30 days ("List events, going back up to 30 days").
 * In the sandbox the events are those of the changes `advance()` makes (a created object, a charge
 * refunded, an invoice paid, a customer updated), each `data.object` the object after the change;
 * the initial history has none (as an account whose history predates the 30 days Stripe lists).
 */
import {
  CITIES,
  FIRST_NAMES,
  intParam,
  json,
  LAST_NAMES,
  Rng,
  type Route,
  type RouteResult,
  type SandboxApi,
  type SandboxApiDouble,
  type SandboxRequest,
  serveDouble,
  Timeline,
  unixSeconds,
} from '@tributary/sandbox/double';
import type { ApiRoute } from '@tributary/testkit';

type Json = Record<string, unknown>;
type Kind = 'charges' | 'customers' | 'invoices';

export interface StripeData {
  charges: Json[];
  customers: Json[];
  invoices: Json[];
  /** Events, in any order (listed newest first); older than 30 days they are no longer listed. */
  events: Json[];
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

export interface StripeDoubleOptions {
  /** The objects listed; read on every request, so a test may add to them. */
  data: StripeData;
  apiKey: string;
  faults?: StripeFaults;
  /** Now (unix ms): decides which events are still listed. @default Date.now */
  now?: () => number;
}

/** How long Stripe lists events. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;
const API_VERSION = '2024-06-20';
const OBJECT: Record<Kind, string> = { charges: 'charge', customers: 'customer', invoices: 'invoice' };
const KIND_OF: Record<string, Kind> = { charge: 'charges', customer: 'customers', invoice: 'invoices' };
const RATE_LIMIT_MESSAGE =
  'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.';
const BOUNDS: Array<[string, (c: number, v: number) => boolean]> = [
  ['created[gte]', (c, v) => c >= v],
  ['created[gt]', (c, v) => c > v],
  ['created[lte]', (c, v) => c <= v],
  ['created[lt]', (c, v) => c < v],
  ['created', (c, v) => c === v],
];

/** What a fault of the source's tests answers, if one is due for this request to `resource`. */
function faultFor(
  faults: StripeFaults | undefined,
  resource: string,
  n: number,
): [number, Json, boolean] | undefined {
  if (!faults) return undefined;
  if (faults.rateLimitOn.get(resource) === n) {
    const doc = 'https://stripe.com/docs/error-codes/rate-limit';
    return [
      429,
      { type: 'invalid_request_error', code: 'rate_limit', message: RATE_LIMIT_MESSAGE, doc_url: doc },
      true,
    ];
  }
  if (faults.lockTimeoutOn.get(resource) === n) {
    const message =
      'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.';
    const doc = 'https://stripe.com/docs/error-codes/lock-timeout';
    return [409, { type: 'invalid_request_error', code: 'lock_timeout', message, doc_url: doc }, true];
  }
  if (faults.doNotRetryOn.has(resource))
    return [500, { type: 'api_error', message: 'An unknown error occurred' }, false];
  if (!faults.invalidOn.has(resource)) return undefined;
  const invalid = {
    type: 'invalid_request_error',
    code: 'parameter_invalid_integer',
    param: 'created[gte]',
    message: 'Invalid integer: yesterday',
    doc_url: 'https://stripe.com/docs/error-codes/parameter-invalid-integer',
  };
  return [400, invalid, false];
}

/** `/v1/events` filters: `type` (with `*`) or `types[]` (≤ 20; `types[0]`… as Stripe's clients send), not both. */
function eventFilters(
  q: URLSearchParams,
  tests: Array<(r: Json) => boolean>,
  nowMs: number,
): Json | undefined {
  const types = [...q.entries()].filter(([k]) => /^types\[\d*\]$/.test(k)).map(([, v]) => v);
  const type = q.get('type');
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

/** The filters of a list request, or Stripe's error object for a parameter it refuses. */
function filters(resource: string, q: URLSearchParams, nowMs: number): Array<(r: Json) => boolean> | Json {
  const limitRaw = q.get('limit');
  if (limitRaw !== null && (!/^\d+$/.test(limitRaw) || Number(limitRaw) > 100 || Number(limitRaw) < 1)) {
    const message = 'Invalid integer: limit must be between 1 and 100';
    return { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'limit', message };
  }
  const tests: Array<(r: Json) => boolean> = [];
  for (const [param, test] of BOUNDS) {
    const raw = q.get(param);
    if (raw === null) continue;
    if (!/^\d+$/.test(raw)) {
      return {
        type: 'invalid_request_error',
        code: 'parameter_invalid_integer',
        param,
        message: `Invalid integer: ${raw}`,
      };
    }
    tests.push((r) => test(r.created as number, Number(raw)));
  }
  if (resource === 'events') return eventFilters(q, tests, nowMs) ?? tests;
  return tests;
}

/** The stream a page is served for: the list's, or for events the object kind of the types asked for. */
function streamOf(resource: string, q: URLSearchParams): string | undefined {
  if (resource !== 'events') return resource;
  const first = [...q.entries()].find(([k]) => /^types\[\d*\]$/.test(k))?.[1] ?? q.get('type') ?? '';
  return KIND_OF[first.split('.')[0] as string];
}

/** The double's protocol over `options.data`: list routes, `/v1/events`, auth and refusals. */
export function stripeDouble(
  options: StripeDoubleOptions,
): Omit<SandboxApi, 'advance' | 'records' | 'streams'> {
  const { data, faults } = options;
  const now = options.now ?? Date.now;
  const hits = new Map<string, number>();
  let seq = 0;
  const headers = (extra: Record<string, string> = {}) => ({
    'request-id': `req_${(++seq).toString(36).padStart(14, '0')}`,
    'stripe-version': API_VERSION,
    'access-control-allow-origin': '*',
    ...extra,
  });
  const error = (
    status: number,
    body: Json,
    retry: boolean,
    extra: Record<string, string> = {},
  ): RouteResult => {
    const h = headers({ 'stripe-should-retry': String(retry), ...extra });
    const log = `https://dashboard.stripe.com/test/logs/${h['request-id']}`;
    return json(status, { error: { ...body, request_log_url: log } }, h);
  };

  function list(resource: keyof StripeData, request: SandboxRequest): RouteResult {
    const n = (hits.get(resource) ?? 0) + 1;
    hits.set(resource, n);
    const fault = faultFor(faults, resource, n);
    if (fault) return error(...fault);
    const q = request.url.searchParams;
    const tests = filters(resource, q, now());
    if (!Array.isArray(tests)) return error(400, tests, false);
    // Newest first; the same second keeps the latest added first.
    const items = data[resource]
      .map((r, i) => [r, i] as const)
      .filter(([r]) => tests.every((t) => t(r)))
      .sort(([a, i], [b, j]) => (b.created as number) - (a.created as number) || j - i)
      .map(([r]) => r);
    const limit = intParam(request.url, 'limit', 10, 100);
    const after = q.get('starting_after');
    const start = after === null ? 0 : items.findIndex((r) => r.id === after) + 1;
    if (start === 0 && after !== null) {
      const message = `No such ${resource === 'events' ? 'event' : OBJECT[resource]}: '${after}'`;
      return error(
        404,
        { type: 'invalid_request_error', code: 'resource_missing', param: 'starting_after', message },
        false,
      );
    }
    const page = items.slice(start, start + limit);
    const body = {
      object: 'list',
      url: `/v1/${resource}`,
      has_more: start + limit < items.length,
      data: page,
    };
    const stream = streamOf(resource, q);
    const objects = resource === 'events' ? page.map((e) => (e.data as { object: Json }).object) : page;
    return {
      ...json(200, body, headers()),
      ...(stream ? { served: { stream, keys: objects.map((o) => o.id as string) } } : {}),
    };
  }

  const unrecognized = (request: SandboxRequest): RouteResult => {
    const message = `Unrecognized request URL (${request.method}: ${request.url.pathname}).`;
    return error(404, { type: 'invalid_request_error', message }, false);
  };
  const routes: Route[] = [
    ...(['charges', 'customers', 'invoices', 'events'] as const).map(
      (kind): Route => ({ method: 'GET', pattern: new RegExp(`/${kind}$`), handle: (r) => list(kind, r) }),
    ),
    { method: 'GET', pattern: /^\/v1\//, handle: unrecognized },
  ];

  return {
    name: 'stripe',
    routes,
    authorize(request) {
      const auth = request.headers.authorization ?? '';
      const basic = `Basic ${Buffer.from(`${options.apiKey}:`).toString('base64')}`;
      if (auth === `Bearer ${options.apiKey}` || auth === basic) return undefined;
      return this.unauthorized();
    },
    unauthorized: () =>
      error(
        401,
        { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_********************' },
        false,
      ),
    rateLimited: (retryAfter) =>
      error(429, { type: 'invalid_request_error', code: 'rate_limit', message: RATE_LIMIT_MESSAGE }, true, {
        'retry-after': String(retryAfter),
      }),
    unavailable: () => error(503, { type: 'api_error', message: 'Stripe is temporarily unavailable.' }, true),
    serverError: () => error(500, { type: 'api_error', message: 'An unknown error occurred.' }, false),
  };
}

// ---- the source's tests: fixed objects and events, faults on demand ----

let eventSeq = 0;
/** An event as Stripe sends it: `data.object` is the object after the change. */
export function makeEvent(
  type: string,
  object: Json,
  created: number,
  previous: Json = {},
  id?: string,
): Json {
  return {
    id: id ?? `evt_1Q${(++eventSeq).toString(36).padStart(14, '0')}`,
    object: 'event',
    api_version: API_VERSION,
    created,
    data: { object, previous_attributes: previous },
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
  };
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

/** The double as a loopback route for the source's tests; `now` (unix ms) decides which events are still listed. */
export function stripeRoute(
  data: StripeData,
  apiKey: string,
  faults: StripeFaults,
  now = () => Date.now(),
): ApiRoute {
  return serveDouble(stripeDouble({ data, apiKey, faults, now }));
}

// ---- the sandbox: generated objects that change with time, and the events of their changes ----

export interface StripeOptions {
  seed: number;
  timeline: Timeline;
  apiKey: string;
  /** Objects per list at start. */
  records: number;
}

export function createStripeApi(options: StripeOptions): SandboxApi {
  const { seed, timeline } = options;
  /** Oldest first; lists serve them newest first. */
  const lists: StripeData = { charges: [], customers: [], invoices: [], events: [] };
  const events = lists.events;
  const event = (type: string, object: Json, at: number, previous: Json = {}) => {
    const id = `evt_${new Rng(seed, `stripe:event:${events.length}`).alnum(24)}`;
    events.push(makeEvent(type, object, unixSeconds(at), previous, id));
  };

  const make: Record<Kind, (rng: Rng, at: number) => Json> = {
    customers: (rng, at) => {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      const place = rng.pick(CITIES);
      return {
        id: `cus_${rng.alnum(14)}`,
        object: 'customer',
        address: address(rng, place),
        balance: 0,
        created: unixSeconds(at),
        currency: place.country === 'BR' ? 'brl' : place.country === 'US' ? 'usd' : 'eur',
        default_source: null,
        delinquent: rng.bool(0.05),
        description: null,
        email: `${first}.${last}${rng.int(1, 999)}@example.com`.toLowerCase(),
        invoice_prefix: rng.alnum(8).toUpperCase(),
        invoice_settings: {
          custom_fields: null,
          default_payment_method: `pm_${rng.alnum(24)}`,
          footer: null,
        },
        livemode: false,
        metadata: rng.bool(0.5) ? { crm_id: String(rng.int(10000, 99999)) } : {},
        name: `${first} ${last}`,
        phone: rng.bool(0.6) ? `+55119${rng.int(10000000, 99999999)}` : null,
        preferred_locales: [rng.pick(['pt-BR', 'en-US', 'de-DE'])],
        shipping: null,
        tax_exempt: 'none',
        test_clock: null,
      };
    },
    charges: (rng, at) => {
      const amount = rng.int(500, 250_000);
      const refunded = rng.bool(0.05);
      const place = rng.pick(CITIES);
      const customer = lists.customers.length ? (rng.pick(lists.customers).id as string) : null;
      return {
        id: `ch_${rng.alnum(24)}`,
        object: 'charge',
        amount,
        amount_captured: amount,
        amount_refunded: refunded ? amount : 0,
        application_fee_amount: null,
        balance_transaction: `txn_${rng.alnum(24)}`,
        billing_details: {
          address: address(rng, place),
          email: null,
          name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
          phone: null,
        },
        calculated_statement_descriptor: 'TRIBUTARY',
        captured: true,
        created: unixSeconds(at),
        currency: rng.pick(['usd', 'eur', 'brl']),
        customer,
        description: rng.bool(0.5) ? `Order #${rng.int(100000, 999999)}` : null,
        disputed: false,
        failure_code: null,
        failure_message: null,
        livemode: false,
        metadata: { order_id: String(rng.int(100000, 999999)) },
        outcome: {
          network_status: 'approved_by_network',
          reason: null,
          risk_level: rng.pick(['normal', 'normal', 'elevated']),
          risk_score: rng.int(0, 99),
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
        paid: true,
        payment_intent: `pi_${rng.alnum(24)}`,
        payment_method: `pm_${rng.alnum(24)}`,
        payment_method_details: {
          card: {
            brand: rng.pick(['visa', 'mastercard', 'amex']),
            checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
            country: place.country,
            exp_month: rng.int(1, 12),
            exp_year: rng.int(2027, 2032),
            fingerprint: rng.alnum(16),
            funding: rng.pick(['credit', 'debit']),
            last4: String(rng.int(1000, 9999)),
            network: 'visa',
            three_d_secure: null,
          },
          type: 'card',
        },
        receipt_email: null,
        receipt_url: `https://pay.stripe.com/receipts/${rng.alnum(32)}`,
        refunded,
        status: 'succeeded',
      };
    },
    invoices: (rng, at) => {
      const customer = lists.customers.length ? rng.pick(lists.customers) : undefined;
      const quantity = rng.int(1, 5);
      const unit = rng.pick([900, 1900, 4900, 9900]);
      const paid = rng.bool(0.8);
      const created = unixSeconds(at);
      const id = `in_${rng.alnum(24)}`;
      return {
        id,
        object: 'invoice',
        account_country: 'BR',
        amount_due: quantity * unit,
        amount_paid: paid ? quantity * unit : 0,
        amount_remaining: paid ? 0 : quantity * unit,
        attempt_count: paid ? 1 : 0,
        attempted: paid,
        billing_reason: rng.pick(['subscription_cycle', 'subscription_create', 'manual']),
        collection_method: 'charge_automatically',
        created,
        currency: 'usd',
        customer: customer?.id ?? null,
        customer_email: customer?.email ?? null,
        due_date: null,
        hosted_invoice_url: `https://invoice.stripe.com/i/${rng.alnum(40)}`,
        lines: {
          object: 'list',
          data: [
            {
              id: `il_${rng.alnum(24)}`,
              object: 'line_item',
              amount: quantity * unit,
              currency: 'usd',
              description: `${quantity} × Tributary Pro`,
              period: { start: created, end: created + 30 * 86400 },
              price: { id: `price_${rng.alnum(14)}`, unit_amount: unit, recurring: { interval: 'month' } },
              quantity,
            },
          ],
          has_more: false,
          total_count: 1,
          url: `/v1/invoices/${id}/lines`,
        },
        livemode: false,
        metadata: {},
        number: `${rng.alnum(8).toUpperCase()}-${String(rng.int(1, 9999)).padStart(4, '0')}`,
        paid,
        period_end: created,
        period_start: created - 30 * 86400,
        status: paid ? 'paid' : 'open',
        status_transitions: { finalized_at: created, paid_at: paid ? created + 60 : null, voided_at: null },
        subtotal: quantity * unit,
        total: quantity * unit,
      };
    },
  };

  for (const kind of ['customers', 'charges', 'invoices'] as const) {
    for (let i = 0; i < options.records; i++) {
      lists[kind].push(
        make[kind](new Rng(seed, `stripe:${kind}:${i}`), timeline.initial(i, options.records)),
      );
    }
  }

  return {
    ...stripeDouble({ data: lists, apiKey: options.apiKey }),
    advance(now, epoch) {
      const rng = new Rng(seed, `stripe:advance:${epoch}`);
      for (const kind of ['customers', 'charges', 'invoices'] as const) {
        const count = Math.max(1, Math.round(lists[kind].length * 0.05));
        for (let i = 0; i < count; i++) {
          const at = Timeline.change(now, i, count);
          const created = make[kind](new Rng(seed, `stripe:${kind}:${epoch}:${i}`), at);
          lists[kind].push(created);
          event(kind === 'charges' ? 'charge.succeeded' : `${OBJECT[kind]}.created`, created, at);
        }
        // Updates Stripe lists keep in place (created does not change): a charge refunded, an invoice
        // paid; each with its event.
        // Objects that existed before this advance: an update of a new one could predate its creation.
        const updates = rng.sample(lists[kind].slice(0, -count), Math.round(lists[kind].length * 0.02));
        for (const [i, o] of updates.entries()) {
          const at = lists[kind].indexOf(o);
          const when = Timeline.change(now, i, updates.length);
          let updated: Json = o;
          if (kind === 'charges') {
            updated = { ...o, refunded: true, amount_refunded: o.amount };
            event('charge.refunded', updated, when, {
              refunded: o.refunded,
              amount_refunded: o.amount_refunded,
            });
          }
          if (kind === 'invoices') {
            updated = { ...o, paid: true, status: 'paid' };
            event('invoice.paid', updated, when, { paid: o.paid, status: o.status });
          }
          if (kind === 'customers') {
            updated = { ...o, delinquent: false };
            event('customer.updated', updated, when, { delinquent: o.delinquent });
          }
          lists[kind][at] = updated;
        }
      }
    },
    records: (stream) => (stream in lists && stream !== 'events' ? [...lists[stream as Kind]] : []),
    streams: () => ['charges', 'customers', 'invoices'],
  };
}

function address(rng: Rng, place: (typeof CITIES)[number]): Json {
  return {
    city: place.city,
    country: place.country,
    line1: `${rng.int(1, 2000)} ${rng.pick(['Rua Augusta', 'Main St', 'High Street', 'Avenida Paulista'])}`,
    line2: rng.bool(0.3) ? `Apt ${rng.int(1, 300)}` : null,
    postal_code: place.postal,
    state: place.state || null,
  };
}

declare module '@tributary/sandbox/double' {
  interface SandboxSources {
    stripe: { api_key: string };
  }
}

/** This double in the sandbox. */
export const sandboxApi: SandboxApiDouble<'stripe'> = {
  name: 'stripe',
  credentials: { api_key: 'sk_test_sandbox000000000000000000000000' },
  create: ({ seed, timeline, records, credentials }) =>
    createStripeApi({ seed, timeline, apiKey: credentials.api_key, records }),
};
