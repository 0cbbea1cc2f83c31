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
  /** ➕ The body the request sent (its first 16 KiB), as the transport wrote it. */
  body?: string;
}

const BODY_KEPT = 16 * 1024;

/** Keeps what `request` writes as its body (write/end on this one request), up to BODY_KEPT bytes. */
function keepBody(request: ClientRequest, exchange: Exchange): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  const note = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || kept >= BODY_KEPT) return;
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buffer.subarray(0, BODY_KEPT - kept));
    kept += buffer.length;
    exchange.body = Buffer.concat(chunks).toString('utf8');
  };
  const { write, end } = request;
  request.write = function (this: ClientRequest, chunk: unknown, ...rest: unknown[]) {
    note(chunk);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ClientRequest['write'];
  request.end = function (this: ClientRequest, chunk?: unknown, ...rest: unknown[]) {
    note(chunk);
    return (end as (...args: unknown[]) => ClientRequest).call(this, chunk, ...rest);
  } as ClientRequest['end'];
}

/** The requests the transport sends while `run` runs, as Node's http client publishes them. */
export function watchRequests() {
  const exchanges: Exchange[] = [];
  const byRequest = new WeakMap<ClientRequest, Exchange>();
  // 'created' comes in the request's constructor, before its body is written ('start' after `end`):
  // the body is kept from there, into the exchange 'start' then fills in.
  const onCreated = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const exchange: Exchange = { method: '', url: '', headers: [] };
    keepBody(request, exchange);
    byRequest.set(request, exchange);
  };
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const host = String(request.getHeader('host') ?? request.host);
    const exchange = byRequest.get(request) ?? { method: '', url: '', headers: [] };
    exchange.method = request.method;
    exchange.url = `${request.protocol}//${host}${request.path}`;
    exchange.headers = Object.entries(request.getHeaders()).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(', ') : String(v),
    ]);
    byRequest.set(request, exchange);
    exchanges.push(exchange);
  };
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const exchange = byRequest.get(request);
    if (exchange) exchange.status = response.statusCode;
  };
  dc.subscribe('http.client.request.created', onCreated);
  dc.subscribe('http.client.request.start', onStart);
  dc.subscribe('http.client.response.finish', onResponse);
  return {
    exchanges,
    stop() {
      dc.unsubscribe('http.client.request.created', onCreated);
      dc.unsubscribe('http.client.request.start', onStart);
      dc.unsubscribe('http.client.response.finish', onResponse);
    },
  };
}
