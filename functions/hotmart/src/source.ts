/**
 * Hotmart Payments API (https://developers.hotmart.com/docs/en/): sales history and subscriptions.
 * OAuth2 client credentials; pages of `items` with `page_info.next_page_token`.
 */
import { defineSource } from '@tributary/core';

/**
 * Without `transaction_status` Hotmart answers only APPROVED and COMPLETE sales: the sales history
 * is read once per status (a static partition each), so refunds, chargebacks and pending payments land too.
 */
const PURCHASE_STATUSES = [
  'APPROVED',
  'BLOCKED',
  'CANCELLED',
  'CHARGEBACK',
  'COMPLETE',
  'EXPIRED',
  'NO_FUNDS',
  'OVERDUE',
  'PARTIALLY_REFUNDED',
  'PRE_ORDER',
  'PRINTED_BILLET',
  'PROCESSING_TRANSACTION',
  'PROTESTED',
  'REFUNDED',
  'STARTED',
  'UNDER_ANALISYS', // sic: Hotmart's spelling
  'WAITING_PAYMENT',
];

/** Hotmart's founding year: subscriptions default to the last 30 days of accession otherwise. */
const EVERY_SUBSCRIPTION_SINCE = Date.UTC(2011, 0, 1);

/** `?max_results=500` (Hotmart's maximum), then `page_token=<page_info.next_page_token>` until absent. */
const pages = {
  records: 'items',
  paginator: { type: 'cursor', param: 'page_token', cursorPath: 'page_info.next_page_token' },
  params: { max_results: 500 },
} as const;

export const source = defineSource({
  name: 'hotmart',
  baseUrl: 'https://developers.hotmart.com',
  auth: {
    type: 'oauth2ClientCredentials',
    // POST ?grant_type=client_credentials&client_id=…&client_secret=… with Authorization: Basic base64(id:secret).
    tokenUrl: 'https://api-sec-vlc.hotmart.com/security/oauth/token',
    clientIdKey: 'client_id',
    clientSecretKey: 'client_secret',
    clientAuth: 'both',
    paramsIn: 'query',
  },
  // Hotmart allows 500 requests per minute per account.
  rateLimit: { requestsPerSecond: 5, concurrency: 1 },
  streams: {
    sales_history: {
      path: '/payments/api/v1/sales/history',
      ...pages,
      params: { ...pages.params, transaction_status: '{transaction_status}' },
      partitions: PURCHASE_STATUSES.map((transaction_status) => ({ transaction_status })),
      primaryKey: 'purchase.transaction',
      // The transaction (order) date window, in epoch milliseconds. A sale keeps its order date when
      // it is refunded or charged back: 30 days are read again (the usual warranty), merged on the key.
      incremental: {
        cursorField: 'purchase.order_date',
        cursorType: 'unixMs',
        params: { start_date: '{since:unixMs}', end_date: '{until:unixMs}' },
        lookbackSeconds: 30 * 86_400,
      },
    },
    subscriptions: {
      // Subscriptions change status in place: read in full and merged on the subscriber code.
      path: '/payments/api/v1/subscriptions',
      ...pages,
      params: { ...pages.params, accession_date: EVERY_SUBSCRIPTION_SINCE },
      primaryKey: 'subscriber_code',
    },
  },
});
