/**
 * The requests the transport sends, seen through Node's `http.client.*` diagnostics channels (what
 * the transport sent, after auth), never through a second HTTP client.
 */
import dc from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface Exchange {
  method: string;
  url: string;
  headers: [string, string][];
  status?: number;
}

/** The requests the transport sends while `run` runs, as Node's http client publishes them. */
export function watchRequests() {
  const exchanges: Exchange[] = [];
  const byRequest = new WeakMap<ClientRequest, Exchange>();
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const host = String(request.getHeader('host') ?? request.host);
    const exchange: Exchange = {
      method: request.method,
      url: `${request.protocol}//${host}${request.path}`,
      headers: Object.entries(request.getHeaders()).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.join(', ') : String(v),
      ]),
    };
    byRequest.set(request, exchange);
    exchanges.push(exchange);
  };
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const exchange = byRequest.get(request);
    if (exchange) exchange.status = response.statusCode;
  };
  dc.subscribe('http.client.request.start', onStart);
  dc.subscribe('http.client.response.finish', onResponse);
  return {
    exchanges,
    stop() {
      dc.unsubscribe('http.client.request.start', onStart);
      dc.unsubscribe('http.client.response.finish', onResponse);
    },
  };
}
