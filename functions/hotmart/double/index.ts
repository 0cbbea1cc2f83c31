/**
 * The one Hotmart double, as developers.hotmart.com documents the Payments API the hotmart source
 * calls, used by this source's tests (`hotmartRoute`, on loopback) and by the sandbox
 * (`createHotmartApi`, in the demo and the local stack):
 * - the token endpoint `POST /security/oauth/token?grant_type=client_credentials&client_id=…&client_secret=…`
 *   with `Authorization: Basic base64(id:secret)` (a form body is read too), answering
 *   `{ access_token, token_type: 'bearer', expires_in, scope, jti }`; 400 `unsupported_grant_type`,
 *   401 `invalid_client`;
 * - sales history and subscriptions answering
 *   `{ items, page_info: { total_results, next_page_token, prev_page_token, results_per_page } }`,
 *   `max_results` (at most 500) and an opaque `page_token`; windows in epoch milliseconds
 *   (`start_date`/`end_date`, `accession_date`/`end_accession_date`; anything else is a 400);
 * - its documented defaults: sales without `transaction_status` are only APPROVED and COMPLETE ones;
 *   subscriptions without `accession_date` only those of the last 30 days;
 * - 401 `invalid_token` once a token has expired; 403 `unauthorized_client` for a path the
 *   credentials lack the scope for; 429 with `RateLimit-*` headers (and `Retry-After`), the limit
 *   lasting until its `RateLimit-Reset`.
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
} from '@tributary/sandbox/double';
import type { ApiRoute } from '@tributary/testkit';

type Json = Record<string, unknown>;

export interface HotmartState {
  sales: Json[];
  subscriptions: Json[];
  /** Tokens issued, in order (an expired one followed by `(expired)`). */
  tokens: string[];
  /** Expire the current token when the n-th API request (1-based, all paths) arrives. */
  expireAtRequest?: number;
  /** Answer the n-th API request with a 429 (`RateLimit-Reset: 1`: the limit lasts one second). */
  rateLimitAtRequest?: number;
  /** Filled in by the double: the paths of API requests that arrived while a 429's limit was in force. */
  duringLimit: string[];
  /** Paths answered with 403 unauthorized_client (the credentials lack the scope). */
  forbidden?: Set<string>;
}

export interface HotmartDoubleOptions {
  state: HotmartState;
  clientId: string;
  clientSecret: string;
  /** Lifetime of an access token. */
  tokenTtlSeconds: number;
  /** Seeds the tokens issued. @default 0 */
  seed?: number;
  /**
   * Refuse a token request without everything the hotmart source must send (Basic auth and the
   * credentials in the query), as the source's tests ask; the sandbox takes either. @default false
   */
  strict?: boolean;
}

const DAY = 86_400_000;

const rateLimited = (reset: number) =>
  json(
    429,
    { error: 'too_many_requests', error_description: 'Rate limit exceeded' },
    {
      'ratelimit-limit': '500',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(reset),
      'retry-after': String(reset),
    },
  );

function msParam(request: SandboxRequest, name: string): number | undefined | RouteResult {
  const raw = request.url.searchParams.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) {
    return json(400, { error: 'invalid_parameter', error_description: `${name} must be epoch milliseconds` });
  }
  return Number(raw);
}

function windowed(
  request: SandboxRequest,
  items: Json[],
  [from, to]: [string, string],
  at: (r: Json) => number,
  defaultFrom?: number,
): Json[] | RouteResult {
  const start = msParam(request, from) ?? defaultFrom;
  if (typeof start === 'object') return start;
  const end = msParam(request, to);
  if (typeof end === 'object') return end;
  return items.filter((r) => (start === undefined || at(r) >= start) && (end === undefined || at(r) <= end));
}

/** `page_token` is opaque to clients: here, the base64url of the next offset. */
function page(
  request: SandboxRequest,
  items: Json[],
  stream: string,
  keyOf: (r: Json) => string,
): RouteResult {
  const size = intParam(request.url, 'max_results', 10, 500);
  const token = request.url.searchParams.get('page_token');
  const offset =
    token === null
      ? 0
      : Number(
          Buffer.from(token, 'base64url')
            .toString('utf8')
            .replace(/^offset:/, ''),
        );
  if (!Number.isInteger(offset) || offset < 0) {
    return json(400, { error: 'invalid_parameter', error_description: 'Invalid page_token' });
  }
  const slice = items.slice(offset, offset + size);
  const pageInfo: Json = { total_results: items.length, results_per_page: size };
  if (offset + size < items.length)
    pageInfo.next_page_token = Buffer.from(`offset:${offset + size}`).toString('base64url');
  if (offset > 0)
    pageInfo.prev_page_token = Buffer.from(`offset:${Math.max(0, offset - size)}`).toString('base64url');
  return { ...json(200, { items: slice, page_info: pageInfo }), served: { stream, keys: slice.map(keyOf) } };
}

/** The double's protocol over `options.state`: token endpoint, routes, auth and refusals. */
export function hotmartDouble(
  options: HotmartDoubleOptions,
): Omit<SandboxApi, 'advance' | 'records' | 'streams'> {
  const { state, clientId, clientSecret } = options;
  const seed = options.seed ?? 0;
  const expiries = new Map<string, number>();
  let apiRequests = 0;
  /** The end of the limit in force (epoch ms), if any. */
  let limitedUntil: number | undefined;
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

  function issue(request: SandboxRequest): RouteResult {
    const q = request.url.searchParams;
    const form = new URLSearchParams(request.body);
    const param = (name: string) => q.get(name) ?? form.get(name);
    if (param('grant_type') !== 'client_credentials') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
    }
    const basicOk = request.headers.authorization === basic;
    const inQuery = q.get('client_id') === clientId && q.get('client_secret') === clientSecret;
    const paramsOk =
      (param('client_id') ?? clientId) === clientId &&
      (param('client_secret') ?? clientSecret) === clientSecret;
    const given = basicOk || (param('client_id') !== null && param('client_secret') !== null);
    if (options.strict ? !(basicOk && inQuery) : !(given && paramsOk)) {
      return json(401, { error: 'invalid_client', error_description: 'Bad client credentials' });
    }
    const n = expiries.size + 1;
    const token = `hm_${String(n).padStart(6, '0')}_${new Rng(seed, `hotmart:token:${n}`).alnum(24)}`;
    expiries.set(token, Date.now() + options.tokenTtlSeconds * 1000);
    state.tokens.push(token);
    return json(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: options.tokenTtlSeconds,
      scope: 'read write',
      jti: new Rng(seed, `hotmart:jti:${n}`).hex(32),
    });
  }

  /** 403 for a path out of scope; 429 while a limit is in force (noted in `state.duringLimit`). */
  function refusal(request: SandboxRequest): RouteResult | undefined {
    const path = request.url.pathname;
    if (state.forbidden?.has(path)) {
      return json(403, {
        error: 'unauthorized_client',
        error_description: 'The client is not authorized to access this resource',
      });
    }
    if (limitedUntil !== undefined && Date.now() >= limitedUntil) limitedUntil = undefined;
    if (limitedUntil !== undefined) state.duringLimit.push(path);
    if (limitedUntil === undefined && state.rateLimitAtRequest !== apiRequests) return undefined;
    limitedUntil ??= Date.now() + 1000;
    return rateLimited(Math.ceil((limitedUntil - Date.now()) / 1000));
  }

  const sales = (request: SandboxRequest): RouteResult => {
    const items = windowed(
      request,
      state.sales,
      ['start_date', 'end_date'],
      (r) => (r.purchase as Json).order_date as number,
    );
    if (!Array.isArray(items)) return items;
    // Without transaction_status only APPROVED and COMPLETE sales are answered.
    const wanted = request.url.searchParams.get('transaction_status')?.split(',') ?? ['APPROVED', 'COMPLETE'];
    const filtered = items.filter((r) => wanted.includes((r.purchase as Json).status as string));
    return page(request, filtered, 'sales_history', (r) => (r.purchase as Json).transaction as string);
  };
  const subscriptions = (request: SandboxRequest): RouteResult => {
    // accession_date defaults to 30 days ago.
    const range: [string, string] = ['accession_date', 'end_accession_date'];
    const items = windowed(
      request,
      state.subscriptions,
      range,
      (r) => r.accession_date as number,
      Date.now() - 30 * DAY,
    );
    if (!Array.isArray(items)) return items;
    return page(request, items, 'subscriptions', (r) => r.subscriber_code as string);
  };
  const guarded = (handle: (r: SandboxRequest) => RouteResult) => (request: SandboxRequest) =>
    refusal(request) ?? handle(request);

  const routes: Route[] = [
    { method: 'POST', pattern: /\/security\/oauth\/token$/, public: true, noFaults: true, handle: issue },
    { method: 'GET', pattern: /\/sales\/history$/, handle: guarded(sales) },
    { method: 'GET', pattern: /\/subscriptions$/, handle: guarded(subscriptions) },
  ];

  return {
    name: 'hotmart',
    routes,
    authorize(request) {
      apiRequests++;
      const current = state.tokens.at(-1);
      if (state.expireAtRequest === apiRequests && current) {
        expiries.set(current, 0);
        state.tokens.push('(expired)');
      }
      const auth = request.headers.authorization ?? '';
      const expiry = expiries.get(auth.startsWith('Bearer ') ? auth.slice(7) : '');
      if (expiry !== undefined && expiry > Date.now()) return undefined;
      return this.unauthorized();
    },
    unauthorized: () =>
      json(401, { error: 'invalid_token', error_description: 'Invalid or expired access token' }),
    rateLimited,
    unavailable: () => json(503, { error: 'service_unavailable', error_description: 'Service Unavailable' }),
    serverError: () => json(500, { error: 'internal_error', error_description: 'Internal Server Error' }),
  };
}

// ---- the source's tests: fixed records, faults on demand, the source's token request required ----

const T0 = Date.parse('2026-11-01T00:00:00Z');
/** Most sales approved; a tenth each complete, refunded, charged back. */
const STATUS_BY_DIGIT = ['REFUNDED', ...Array(7).fill('APPROVED'), 'COMPLETE', 'CHARGEBACK'] as string[];

export function makeSale(i: number, orderDate = T0 + i * 60_000): Json {
  return {
    product: { name: `Curso ${i % 7}`, id: 1_000_000 + (i % 7) },
    buyer: { name: `Comprador ${i}`, ucode: `b${i}`.padEnd(36, '0'), email: `comprador${i}@example.com` },
    producer: { name: 'Produtora', ucode: 'p'.padEnd(36, '0') },
    purchase: {
      transaction: `HP${String(17_715_690_036_014 + i)}`,
      order_date: orderDate,
      approved_date: orderDate + 5000,
      status: STATUS_BY_DIGIT[i % 10],
      recurrency_number: 1,
      is_subscription: i % 3 === 0,
      commission_as: 'PRODUCER',
      price: { value: 97.9 + i, currency_code: 'BRL' },
      payment: { method: 'CREDIT_CARD', installments_number: 1 + (i % 12), type: 'CREDIT_CARD' },
      tracking: { source_sck: 'HOTMART_PRODUCT_PAGE', source: 'HOTMART', external_code: `ext-${i}` },
      warranty_expire_date: orderDate + 7 * DAY,
      offer: { payment_mode: 'UNIQUE_PAYMENT', code: `k2pasun${i % 10}` },
      hotmart_fee: { total: 9.79, fixed: 1, currency_code: 'BRL', base: 97.9, percentage: 9.9 },
    },
  };
}

export function makeSubscription(i: number): Json {
  return {
    subscriber_code: `SUB${String(i).padStart(6, '0')}`,
    subscription_id: 9_000_000 + i,
    status: i % 4 === 0 ? 'CANCELLED_BY_CUSTOMER' : 'ACTIVE',
    accession_date: T0 - i * 15 * DAY,
    request_date: T0 - i * 15 * DAY,
    date_next_charge: T0 + 30 * DAY,
    trial: false,
    transaction: `HP${String(27_715_690_036_014 + i)}`,
    plan: { name: 'Mensal', id: 77, recurrency_period: 30, max_charge_cycles: 12 },
    product: { id: 1_000_001, name: 'Clube', ucode: 'c'.padEnd(36, '0') },
    price: { value: 29.9, currency_code: 'BRL' },
    buyer: { name: `Assinante ${i}`, email: `assinante${i}@example.com`, ucode: `s${i}`.padEnd(36, '0') },
  };
}

/** The double as a loopback route for the source's tests: `startApi(hotmartRoute(…))`. */
export function hotmartRoute(state: HotmartState, clientId: string, clientSecret: string): ApiRoute {
  return serveDouble(
    hotmartDouble({ state, clientId, clientSecret, tokenTtlSeconds: 172_799, strict: true }),
  );
}

// ---- the sandbox: generated sales and subscriptions that grow with time ----

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

const PRODUCTS = [
  { id: 1_234_567, name: 'Curso de Fotografia Digital', ucode: 'a1b2c3d4-0001' },
  { id: 2_345_678, name: 'Mentoria Marketing Digital', ucode: 'a1b2c3d4-0002' },
  { id: 3_456_789, name: 'Ebook Receitas Veganas', ucode: 'a1b2c3d4-0003' },
  { id: 4_567_890, name: 'Clube de Assinatura Yoga', ucode: 'a1b2c3d4-0004' },
] as const;

function person(rng: Rng): Json {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return {
    name: `${first} ${last}`,
    ucode: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
    email: `${first}.${last}${rng.int(1, 999)}@example.com`.toLowerCase(),
  };
}

function purchase(rng: Rng, at: number, value: number, currency: string, isSubscription: boolean): Json {
  const installments = rng.pick([1, 1, 1, 3, 6, 12]);
  return {
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
    warranty_expire_date: at + 7 * DAY,
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
  };
}

function sale(rng: Rng, at: number): Json {
  const product = rng.pick(PRODUCTS);
  const value = rng.pick([47, 97, 197, 497, 997]) + rng.pick([0, 0.9]);
  const place = rng.pick(CITIES);
  const currency = place.country === 'BR' ? 'BRL' : place.country === 'US' ? 'USD' : 'EUR';
  return {
    product: { id: product.id, name: product.name },
    buyer: {
      ...person(rng),
      document: rng.bool(0.5) ? String(rng.int(10_000_000_000, 99_999_999_999)) : null,
    },
    producer: { name: 'Tributary Academy', ucode: 'producer-0001-ucode' },
    purchase: purchase(rng, at, value, currency, product.id === 4_567_890),
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
    end_accession_date: status === 'ACTIVE' ? null : at + rng.int(30, 300) * DAY,
    request_date: at,
    date_next_charge: status === 'ACTIVE' ? at + 30 * DAY : null,
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

export function createHotmartApi(options: HotmartOptions): SandboxApi {
  const { seed, timeline } = options;
  const state: HotmartState = { sales: [], subscriptions: [], tokens: [], duringLimit: [] };
  for (let i = 0; i < options.records; i++) {
    const at = timeline.initial(i, options.records);
    state.sales.push(sale(new Rng(seed, `hotmart:sale:${i}`), at));
    state.subscriptions.push(subscription(new Rng(seed, `hotmart:sub:${i}`), at, i));
  }
  return {
    ...hotmartDouble({ ...options, state }),
    advance(now, epoch) {
      const count = Math.max(1, Math.round(state.sales.length * 0.05));
      for (let i = 0; i < count; i++) {
        const at = Timeline.change(now, i, count);
        state.sales.push(sale(new Rng(seed, `hotmart:sale:${epoch}:${i}`), at));
        const index = state.subscriptions.length;
        state.subscriptions.push(subscription(new Rng(seed, `hotmart:sub:${epoch}:${i}`), at, index));
      }
    },
    records: (stream) =>
      stream === 'sales_history'
        ? [...state.sales]
        : stream === 'subscriptions'
          ? [...state.subscriptions]
          : [],
    streams: () => ['sales_history', 'subscriptions'],
  };
}

declare module '@tributary/sandbox/double' {
  interface SandboxSources {
    hotmart: { client_id: string; client_secret: string };
  }
}

/** This double in the sandbox: tokens live `hotmartTokenTtlSeconds`; the token URL is the sandbox's. */
export const sandboxApi: SandboxApiDouble<'hotmart'> = {
  name: 'hotmart',
  credentials: { client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret' },
  create: ({ seed, timeline, records, credentials, options }) =>
    createHotmartApi({
      seed,
      timeline,
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      tokenTtlSeconds: options.hotmartTokenTtlSeconds,
      records,
    }),
  env: (url) => ({ AUTH_TOKEN_URL: `${url}/security/oauth/token` }),
};
