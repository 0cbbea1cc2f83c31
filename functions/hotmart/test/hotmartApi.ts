/**
 * A Hotmart double on loopback, shaped as developers.hotmart.com documents it: the token endpoint
 * (`POST /security/oauth/token?grant_type=client_credentials&client_id=…&client_secret=…` with
 * `Authorization: Basic base64(id:secret)`), sales history and subscriptions answering
 * `{ items, page_info: { total_results, next_page_token, prev_page_token, results_per_page } }`,
 * `max_results`/`page_token`, the `start_date`/`end_date` window in epoch milliseconds, 401
 * `invalid_token` once a token has expired, and 429 with `RateLimit-*` headers. Its defaults as
 * documented: sales without `transaction_status` are only APPROVED and COMPLETE ones; subscriptions
 * without `accession_date` only those of the last 30 days. A 429's limit lasts until its
 * `RateLimit-Reset`: every API request before then is answered 429 again and noted in
 * `state.duringLimit`.
 */
import type { ApiReply, ApiRequest } from '@tributary/testkit';

type Json = Record<string, unknown>;

export interface HotmartState {
  sales: Json[];
  subscriptions: Json[];
  /** Tokens issued, in order; only the last one is valid. */
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

const T0 = Date.parse('2026-11-01T00:00:00Z');
const DAY = 86_400_000;
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

const pageToken = (page: number, rows: number) =>
  Buffer.from(JSON.stringify({ rows, page })).toString('base64');

export function hotmartRoute(state: HotmartState, clientId: string, clientSecret: string) {
  let apiRequests = 0;
  /** The end of the limit in force (epoch ms), if any. */
  let limitedUntil: number | undefined;
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

  return (req: ApiRequest): ApiReply => {
    if (req.path === '/security/oauth/token') {
      const q = req.query;
      if (
        req.method !== 'POST' ||
        req.headers.authorization !== basic ||
        q.get('grant_type') !== 'client_credentials' ||
        q.get('client_id') !== clientId ||
        q.get('client_secret') !== clientSecret
      ) {
        return { status: 401, body: { error: 'unauthorized', error_description: 'Bad credentials' } };
      }
      const token = `H4sI-token-${state.tokens.length + 1}-${'x'.repeat(16)}`;
      state.tokens.push(token);
      return {
        body: {
          access_token: token,
          token_type: 'bearer',
          expires_in: 172_799,
          scope: 'read write',
          jti: `jti-${state.tokens.length}`,
        },
      };
    }

    apiRequests++;
    if (state.expireAtRequest === apiRequests) state.tokens.push('(expired)');
    const current = state.tokens.at(-1);
    if (!current || req.headers.authorization !== `Bearer ${current}`) {
      return { status: 401, body: { error: 'invalid_token', error_description: 'Invalid access token' } };
    }
    if (state.forbidden?.has(req.path)) {
      return {
        status: 403,
        body: {
          error: 'unauthorized_client',
          error_description: 'The client is not authorized to access this resource',
        },
      };
    }
    if (limitedUntil !== undefined && Date.now() >= limitedUntil) limitedUntil = undefined;
    if (limitedUntil !== undefined) state.duringLimit.push(req.path);
    if (limitedUntil !== undefined || state.rateLimitAtRequest === apiRequests) {
      limitedUntil ??= Date.now() + 1000;
      const reset = String(Math.ceil((limitedUntil - Date.now()) / 1000));
      return {
        status: 429,
        headers: { 'ratelimit-limit': '500', 'ratelimit-remaining': '0', 'ratelimit-reset': reset },
        body: { error: 'too_many_requests', error_description: 'Rate limit exceeded' },
      };
    }

    let list: Json[];
    if (req.path === '/payments/api/v1/sales/history') {
      const start = req.query.get('start_date');
      const end = req.query.get('end_date');
      // Without transaction_status (or transaction) only APPROVED and COMPLETE sales are answered.
      const status = req.query.get('transaction_status');
      const statuses = status ? [status] : ['APPROVED', 'COMPLETE'];
      list = state.sales.filter((s) => {
        const { order_date: date, status: st } = s.purchase as { order_date: number; status: string };
        return (
          statuses.includes(st) &&
          (start === null || date >= Number(start)) &&
          (end === null || date <= Number(end))
        );
      });
    } else if (req.path === '/payments/api/v1/subscriptions') {
      // accession_date defaults to 30 days ago.
      const from = Number(req.query.get('accession_date') ?? Date.now() - 30 * DAY);
      list = state.subscriptions.filter((s) => (s.accession_date as number) >= from);
    } else {
      return { status: 404, body: { error: 'not_found', error_description: `No route ${req.path}` } };
    }

    const rows = Math.min(Number(req.query.get('max_results') ?? 50), 500);
    const token = req.query.get('page_token');
    const page = token ? (JSON.parse(Buffer.from(token, 'base64').toString()) as { page: number }).page : 1;
    const pages = Math.ceil(list.length / rows);
    return {
      body: {
        items: list.slice((page - 1) * rows, page * rows),
        page_info: {
          total_results: list.length,
          ...(page < pages ? { next_page_token: pageToken(page + 1, rows) } : {}),
          ...(page > 1 ? { prev_page_token: pageToken(page - 1, rows) } : {}),
          results_per_page: rows,
        },
      },
    };
  };
}
