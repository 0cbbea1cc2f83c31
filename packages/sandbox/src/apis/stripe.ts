/**
 * Stripe's list API, as the stripe source calls it: `/v1/charges|customers|invoices`, newest first,
 * `limit` + `starting_after` (the last object's id) + `has_more`, `created[gte|gt|lte|lt]`, a secret
 * key as bearer (or as the basic-auth user), Stripe's error object.
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
  let requestSeq = 0;

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

  const routes: Route[] = (['charges', 'customers', 'invoices'] as const).map((kind) => ({
    method: 'GET',
    pattern: new RegExp(`/${kind}$`),
    handle: (request: SandboxRequest) => list(kind, request),
  }));

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
          lists[kind].push(
            make[kind](new Rng(seed, `stripe:${kind}:${epoch}:${i}`), Timeline.change(now, i, count)),
          );
        }
        // Updates Stripe lists keep in place (created does not change): a charge refunded, an invoice paid.
        for (const o of rng.sample(lists[kind], Math.round(lists[kind].length * 0.02))) {
          const at = lists[kind].indexOf(o);
          if (kind === 'charges') lists[kind][at] = { ...o, refunded: true, amount_refunded: o.amount };
          if (kind === 'invoices') lists[kind][at] = { ...o, paid: true, status: 'paid' };
          if (kind === 'customers') lists[kind][at] = { ...o, delinquent: false };
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
