/**
 * Hotmart Payments API (https://developers.hotmart.com/docs/en/): sales history and subscriptions.
 * OAuth2 client credentials; pages of `items` with `page_info.next_page_token`.
 */
import { defineSource } from '@tributary/core';

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
      primaryKey: 'purchase.transaction',
      // The transaction (order) date window, in epoch milliseconds.
      incremental: {
        cursorField: 'purchase.order_date',
        cursorType: 'unixMs',
        params: { start_date: '{since:unixMs}', end_date: '{until:unixMs}' },
      },
    },
    subscriptions: {
      // Subscriptions change status in place: read in full and merged on the subscriber code.
      path: '/payments/api/v1/subscriptions',
      ...pages,
      primaryKey: 'subscriber_code',
    },
  },
});
