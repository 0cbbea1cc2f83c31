/**
 * Hotmart's payments API, as the hotmart source calls it: an OAuth2 client-credentials token
 * endpoint (Basic auth + `grant_type`, `client_id`, `client_secret` in the query), sales history and
 * subscriptions with `max_results` + `page_token` (`page_info.next_page_token`), epoch-millisecond
 * windows, deeply nested records, a bearer access token that expires.
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
import { Timeline } from '../time.ts';

export interface HotmartOptions {
  seed: number;
  timeline: Timeline;
  clientId: string;
  clientSecret: string;
  /** Lifetime of an access token. @default 3600 */
  tokenTtlSeconds: number;
  /** Sales and subscriptions at start. */
  records: number;
}

type Json = Record<string, unknown>;

const PRODUCTS = [
  { id: 1_234_567, name: 'Curso de Fotografia Digital', ucode: 'a1b2c3d4-0001' },
  { id: 2_345_678, name: 'Mentoria Marketing Digital', ucode: 'a1b2c3d4-0002' },
  { id: 3_456_789, name: 'Ebook Receitas Veganas', ucode: 'a1b2c3d4-0003' },
  { id: 4_567_890, name: 'Clube de Assinatura Yoga', ucode: 'a1b2c3d4-0004' },
] as const;

export function createHotmartApi(options: HotmartOptions): SandboxApi {
  const { seed, timeline } = options;
  const tokens = new Map<string, number>();
  let tokenSeq = 0;
  const sales: Json[] = [];
  const subscriptions: Json[] = [];

  function person(rng: Rng): Json {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    return {
      name: `${first} ${last}`,
      ucode: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      email: `${first}.${last}${rng.int(1, 999)}@example.com`.toLowerCase(),
    };
  }

  function sale(rng: Rng, at: number): Json {
    const product = rng.pick(PRODUCTS);
    const value = rng.pick([47, 97, 197, 497, 997]) + rng.pick([0, 0.9]);
    const installments = rng.pick([1, 1, 1, 3, 6, 12]);
    const place = rng.pick(CITIES);
    const currency = place.country === 'BR' ? 'BRL' : place.country === 'US' ? 'USD' : 'EUR';
    const isSubscription = product.id === 4_567_890;
    return {
      product: { id: product.id, name: product.name },
      buyer: {
        ...person(rng),
        document: rng.bool(0.5) ? String(rng.int(10_000_000_000, 99_999_999_999)) : null,
      },
      producer: { name: 'Tributary Academy', ucode: 'producer-0001-ucode' },
      purchase: {
        transaction: `HP${rng.int(10_000_000_000, 99_999_999_999)}${rng.int(100, 999)}`,
        order_date: at,
        approved_date: at,
        status: rng.pick(['APPROVED', 'APPROVED', 'COMPLETE', 'COMPLETE', 'COMPLETE']),
        recurrency_number: isSubscription ? rng.int(1, 12) : null,
        is_subscription: isSubscription,
        commission_as: 'PRODUCER',
        price: { value, currency_code: currency },
        payment: {
          method: rng.pick(['CREDIT_CARD', 'PIX', 'BILLET', 'PAYPAL']),
          installments_number: installments,
          type: rng.pick(['CREDIT_CARD', 'PIX', 'BILLET']),
        },
        tracking: {
          source_sck: rng.pick(['HOTMART_PRODUCT_PAGE', 'instagram', 'newsletter', null]),
          source: rng.pick(['PRODUCER', 'AFFILIATE']),
          external_code: rng.bool(0.3) ? rng.alnum(10) : null,
        },
        warranty_expire_date: at + 7 * 86_400_000,
        offer: {
          payment_mode: installments > 1 ? 'MULTIPLE_PAYMENTS' : 'SINGLE_PAYMENT',
          code: rng.alnum(8).toLowerCase(),
        },
        hotmart_fee: {
          total: Math.round(value * 9.9) / 100,
          fixed: 1,
          currency_code: currency,
          base: value,
          percentage: 9.9,
        },
      },
      commissions: [
        { value: Math.round(value * 80) / 100, source: 'PRODUCER' },
        ...(rng.bool(0.3) ? [{ value: Math.round(value * 10) / 100, source: 'AFFILIATE' }] : []),
      ],
    };
  }

  function subscription(rng: Rng, at: number, index: number): Json {
    const product = PRODUCTS[3];
    const status = rng.pick(['ACTIVE', 'ACTIVE', 'ACTIVE', 'CANCELLED_BY_CUSTOMER', 'OVERDUE', 'INACTIVE']);
    const place = rng.pick(CITIES);
    return {
      subscriber_code: `SUB${String(index).padStart(8, '0')}${rng.alnum(4).toUpperCase()}`,
      subscription_id: 9_000_000 + index,
      status,
      accession_date: at,
      end_accession_date: status === 'ACTIVE' ? null : at + rng.int(30, 300) * 86_400_000,
      request_date: at,
      date_next_charge: status === 'ACTIVE' ? at + 30 * 86_400_000 : null,
      trial: rng.bool(0.1),
      transaction: `HP${rng.int(10_000_000_000, 99_999_999_999)}`,
      plan: {
        name: rng.pick(['Mensal', 'Trimestral', 'Anual']),
        id: rng.int(100_000, 999_999),
        recurrency_period: rng.pick([30, 90, 365]),
        max_charge_cycles: null,
      },
      product: { id: product.id, name: product.name, ucode: product.ucode },
      price: { value: rng.pick([29.9, 79.9, 299.9]), currency_code: place.country === 'BR' ? 'BRL' : 'USD' },
      subscriber: {
        ...person(rng),
        address: { city: place.city, country: place.country, zip_code: place.postal },
      },
    };
  }

  for (let i = 0; i < options.records; i++) {
    sales.push(sale(new Rng(seed, `hotmart:sale:${i}`), timeline.initial(i, options.records)));
    subscriptions.push(
      subscription(new Rng(seed, `hotmart:sub:${i}`), timeline.initial(i, options.records), i),
    );
  }

  function msParam(request: SandboxRequest, name: string): number | undefined | RouteResult {
    const raw = request.url.searchParams.get(name);
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw)) {
      return json(400, {
        error: 'invalid_parameter',
        error_description: `${name} must be epoch milliseconds`,
      });
    }
    return Number(raw);
  }

  /** `page_token` is opaque to clients: here, the base64 of the next offset. */
  function page(
    request: SandboxRequest,
    items: Json[],
    stream: string,
    keyOf: (r: Json) => string,
  ): RouteResult {
    const size = intParam(request.url, 'max_results', 10, 500);
    const token = request.url.searchParams.get('page_token');
    let offset = 0;
    if (token !== null) {
      offset = Number(
        Buffer.from(token, 'base64url')
          .toString('utf8')
          .replace(/^offset:/, ''),
      );
      if (!Number.isInteger(offset) || offset < 0) {
        return json(400, { error: 'invalid_parameter', error_description: 'Invalid page_token' });
      }
    }
    const slice = items.slice(offset, offset + size);
    const more = offset + size < items.length;
    const pageInfo: Json = { total_results: items.length, results_per_page: size };
    if (more) pageInfo.next_page_token = Buffer.from(`offset:${offset + size}`).toString('base64url');
    if (offset > 0)
      pageInfo.prev_page_token = Buffer.from(`offset:${Math.max(0, offset - size)}`).toString('base64url');
    return {
      ...json(200, { items: slice, page_info: pageInfo }),
      served: { stream, keys: slice.map(keyOf) },
    };
  }

  function windowed(
    request: SandboxRequest,
    items: Json[],
    from: string,
    to: string,
    at: (r: Json) => number,
  ): Json[] | RouteResult {
    const start = msParam(request, from);
    if (typeof start === 'object') return start;
    const end = msParam(request, to);
    if (typeof end === 'object') return end;
    return items.filter(
      (r) => (start === undefined || at(r) >= start) && (end === undefined || at(r) <= end),
    );
  }

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /\/security\/oauth\/token$/,
      public: true,
      noFaults: true,
      handle: (request) => {
        const q = request.url.searchParams;
        const form = new URLSearchParams(request.body);
        const param = (name: string) => q.get(name) ?? form.get(name);
        const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
        const basicOk = request.headers.authorization === basic;
        const paramsOk =
          (param('client_id') ?? options.clientId) === options.clientId &&
          (param('client_secret') ?? options.clientSecret) === options.clientSecret;
        const hasCredentials = basicOk || (param('client_id') !== null && param('client_secret') !== null);
        if (param('grant_type') !== 'client_credentials') {
          return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
        }
        if (!hasCredentials || !paramsOk) {
          return json(401, { error: 'invalid_client', error_description: 'Bad client credentials' });
        }
        const token = `hm_${String(++tokenSeq).padStart(6, '0')}_${new Rng(seed, `hotmart:token:${tokenSeq}`).alnum(24)}`;
        tokens.set(token, Date.now() + options.tokenTtlSeconds * 1000);
        return json(200, {
          access_token: token,
          token_type: 'bearer',
          expires_in: options.tokenTtlSeconds,
          scope: 'read write',
          jti: new Rng(seed, `hotmart:jti:${tokenSeq}`).hex(32),
        });
      },
    },
    {
      method: 'GET',
      pattern: /\/sales\/history$/,
      handle: (request) => {
        const statuses = request.url.searchParams.get('transaction_status');
        const items = windowed(
          request,
          sales,
          'start_date',
          'end_date',
          (r) => (r.purchase as Json).order_date as number,
        );
        if (!Array.isArray(items)) return items;
        const wanted = statuses ? statuses.split(',') : undefined;
        const filtered = wanted
          ? items.filter((r) => wanted.includes((r.purchase as Json).status as string))
          : items;
        return page(request, filtered, 'sales_history', (r) => (r.purchase as Json).transaction as string);
      },
    },
    {
      method: 'GET',
      pattern: /\/subscriptions$/,
      handle: (request) => {
        const items = windowed(
          request,
          subscriptions,
          'accession_date',
          'end_accession_date',
          (r) => r.accession_date as number,
        );
        if (!Array.isArray(items)) return items;
        return page(request, items, 'subscriptions', (r) => r.subscriber_code as string);
      },
    },
  ];

  return {
    name: 'hotmart',
    routes,
    authorize(request) {
      const auth = request.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      const expiry = tokens.get(token);
      if (expiry !== undefined && expiry > Date.now()) return undefined;
      return this.unauthorized();
    },
    unauthorized: () =>
      json(401, { error: 'invalid_token', error_description: 'Invalid or expired access token' }),
    rateLimited: (retryAfter) =>
      json(
        429,
        { error: 'too_many_requests', error_description: 'Rate limit exceeded' },
        { 'retry-after': String(retryAfter) },
      ),
    unavailable: () => json(503, { error: 'service_unavailable', error_description: 'Service Unavailable' }),
    serverError: () => json(500, { error: 'internal_error', error_description: 'Internal Server Error' }),
    advance(now, epoch) {
      const count = Math.max(1, Math.round(sales.length * 0.05));
      for (let i = 0; i < count; i++) {
        const at = Timeline.change(now, i, count);
        sales.push(sale(new Rng(seed, `hotmart:sale:${epoch}:${i}`), at));
        const index = subscriptions.length;
        subscriptions.push(subscription(new Rng(seed, `hotmart:sub:${epoch}:${i}`), at, index));
      }
    },
    records: (stream) =>
      stream === 'sales_history' ? [...sales] : stream === 'subscriptions' ? [...subscriptions] : [],
    streams: () => ['sales_history', 'subscriptions'],
  };
}
