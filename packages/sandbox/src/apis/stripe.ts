/**
 * Stripe's list API, as the stripe source calls it: `/v1/charges|customers|invoices`, newest first,
 * `limit` + `starting_after` (the last object's id) + `has_more`, `created[gte|gt|lte|lt]`, a secret
 * key as bearer (or as the basic-auth user), Stripe's error object. `/v1/events`
 * (docs.stripe.com/api/events/list): the events of the changes `advance()` makes (a created object,
 * a charge refunded, an invoice paid, a customer updated), each `data.object` the object after the
 * change, filtered by `type` (with `*`) or `types[]`, listed for 30 days. The initial history has no
 * events (as an account whose history predates the 30 days Stripe lists).
 */
import {
  intParam,
  json,
  type Route,
  type RouteResult,
  type SandboxApi,
  type SandboxRequest,
} from '../api.ts';
import { CITIES, FIRST_NAMES, LAST_NAMES, Rng } from '../random.ts';
import { Timeline, unixSeconds } from '../time.ts';

export interface StripeOptions {
  seed: number;
  timeline: Timeline;
  apiKey: string;
  /** Objects per list at start. */
  records: number;
}

type Json = Record<string, unknown>;
type Kind = 'charges' | 'customers' | 'invoices';

const OBJECT: Record<Kind, string> = { charges: 'charge', customers: 'customer', invoices: 'invoice' };

export function createStripeApi(options: StripeOptions): SandboxApi {
  const { seed, timeline } = options;
  /** Oldest first; lists serve them newest first. */
  const lists: Record<Kind, Json[]> = { charges: [], customers: [], invoices: [] };
  /** Oldest first; listed newest first. */
  const events: Json[] = [];
  let requestSeq = 0;
  const event = (type: string, object: Json, at: number, previous: Json = {}) => {
    events.push({
      id: `evt_${new Rng(seed, `stripe:event:${events.length}`).alnum(24)}`,
      object: 'event',
      api_version: '2024-06-20',
      created: unixSeconds(at),
      data: { object, previous_attributes: previous },
      livemode: false,
      pending_webhooks: 0,
      request: { id: null, idempotency_key: null },
      type,
    });
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

  function error(status: number, type: string, message: string, extra: Json = {}, headers = {}): RouteResult {
    return json(
      status,
      { error: { type, message, ...extra } },
      { 'request-id': `req_${requestSeq}`, ...headers },
    );
  }

  function list(kind: Kind, request: SandboxRequest): RouteResult {
    const q = request.url.searchParams;
    requestSeq++;
    const limitRaw = q.get('limit');
    const limit = intParam(request.url, 'limit', 10, 100);
    if (limitRaw !== null && (!/^\d+$/.test(limitRaw) || Number(limitRaw) > 100 || Number(limitRaw) < 1)) {
      return error(400, 'invalid_request_error', 'Invalid integer: limit must be between 1 and 100', {
        param: 'limit',
      });
    }
    const bounds: Array<[string, (a: number, b: number) => boolean]> = [
      ['created[gte]', (c, v) => c >= v],
      ['created[gt]', (c, v) => c > v],
      ['created[lte]', (c, v) => c <= v],
      ['created[lt]', (c, v) => c < v],
      ['created', (c, v) => c === v],
    ];
    const filters: Array<(c: number) => boolean> = [];
    for (const [param, test] of bounds) {
      const raw = q.get(param);
      if (raw === null) continue;
      if (!/^\d+$/.test(raw)) {
        return error(400, 'invalid_request_error', `Invalid integer: ${raw}`, { param });
      }
      filters.push((c) => test(c, Number(raw)));
    }
    const items = lists[kind].filter((o) => filters.every((f) => f(o.created as number))).reverse();
    let start = 0;
    const after = q.get('starting_after');
    if (after !== null) {
      const at = items.findIndex((o) => o.id === after);
      if (at < 0) {
        return error(404, 'invalid_request_error', `No such ${OBJECT[kind]}: '${after}'`, {
          code: 'resource_missing',
          param: 'starting_after',
        });
      }
      start = at + 1;
    }
    const data = items.slice(start, start + limit);
    return {
      ...json(
        200,
        { object: 'list', data, has_more: start + limit < items.length, url: `/v1/${kind}` },
        { 'request-id': `req_${requestSeq}`, 'stripe-version': '2024-06-20' },
      ),
      served: { stream: kind, keys: data.map((o) => o.id as string) },
    };
  }

  const KIND_OF: Record<string, Kind> = { charge: 'charges', customer: 'customers', invoice: 'invoices' };

  function listEvents(request: SandboxRequest): RouteResult {
    const q = request.url.searchParams;
    requestSeq++;
    const limitRaw = q.get('limit');
    const limit = intParam(request.url, 'limit', 10, 100);
    if (limitRaw !== null && (!/^\d+$/.test(limitRaw) || Number(limitRaw) > 100 || Number(limitRaw) < 1)) {
      return error(400, 'invalid_request_error', 'Invalid integer: limit must be between 1 and 100', {
        param: 'limit',
      });
    }
    const types = [...q.entries()].filter(([k]) => /^types\[\d*\]$/.test(k)).map(([, v]) => v);
    const type = q.get('type');
    if (type !== null && types.length > 0) {
      return error(400, 'invalid_request_error', 'You may pass either type or types, but not both.', {
        param: 'types',
      });
    }
    if (types.length > 20) {
      return error(400, 'invalid_request_error', 'types may contain at most 20 event types.', {
        param: 'types',
      });
    }
    const filters: Array<(e: Json) => boolean> = [
      // Stripe lists the events of the last 30 days.
      (e) => (e.created as number) >= unixSeconds(Date.now()) - 30 * 86400,
    ];
    if (type !== null) {
      const pattern = new RegExp(`^${type.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      filters.push((e) => pattern.test(e.type as string));
    }
    if (types.length > 0) filters.push((e) => types.includes(e.type as string));
    for (const [param, test] of [
      ['created[gte]', (c: number, v: number) => c >= v],
      ['created[gt]', (c: number, v: number) => c > v],
      ['created[lte]', (c: number, v: number) => c <= v],
      ['created[lt]', (c: number, v: number) => c < v],
    ] as const) {
      const raw = q.get(param);
      if (raw === null) continue;
      if (!/^\d+$/.test(raw))
        return error(400, 'invalid_request_error', `Invalid integer: ${raw}`, { param });
      filters.push((e) => test(e.created as number, Number(raw)));
    }
    // Newest first (a stable sort: the same second keeps the latest first).
    const items = events
      .filter((e) => filters.every((f) => f(e)))
      .reverse()
      .sort((a, b) => (b.created as number) - (a.created as number));
    let start = 0;
    const after = q.get('starting_after');
    if (after !== null) {
      const at = items.findIndex((e) => e.id === after);
      if (at < 0) {
        return error(404, 'invalid_request_error', `No such event: '${after}'`, {
          code: 'resource_missing',
          param: 'starting_after',
        });
      }
      start = at + 1;
    }
    const data = items.slice(start, start + limit);
    const objects = data.map((e) => (e.data as { object: Json }).object);
    const kind = KIND_OF[String((types[0] ?? type ?? '').split('.')[0])];
    return {
      ...json(
        200,
        { object: 'list', data, has_more: start + limit < items.length, url: '/v1/events' },
        { 'request-id': `req_${requestSeq}`, 'stripe-version': '2024-06-20' },
      ),
      ...(kind ? { served: { stream: kind, keys: objects.map((o) => o.id as string) } } : {}),
    };
  }

  const routes: Route[] = [
    ...(['charges', 'customers', 'invoices'] as const).map(
      (kind): Route => ({
        method: 'GET',
        pattern: new RegExp(`/${kind}$`),
        handle: (request: SandboxRequest) => list(kind, request),
      }),
    ),
    { method: 'GET', pattern: /\/events$/, handle: listEvents },
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
      error(401, 'invalid_request_error', 'Invalid API Key provided: sk_test_********************'),
    rateLimited: (retryAfter) =>
      error(
        429,
        'invalid_request_error',
        'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        { code: 'rate_limit' },
        { 'retry-after': String(retryAfter), 'stripe-should-retry': 'true' },
      ),
    unavailable: () =>
      error(503, 'api_error', 'Stripe is temporarily unavailable.', {}, { 'stripe-should-retry': 'true' }),
    serverError: () => error(500, 'api_error', 'An unknown error occurred.'),
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
    records: (stream) => (stream in lists ? [...lists[stream as Kind]] : []),
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
