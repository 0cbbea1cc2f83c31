/**
 * The transport A/B's undici contender (npm `undici`, pinned in the root package.json): the same
 * `transmit` as packages/core/src/http/transport.ts, on `undici.request` through an Agent composed
 * with undici's own redirect and decompress interceptors, its connect / headers / body timeouts and
 * a total timeout as an abort signal. Swapped in for the core's transport at bundle time
 * (transport/build.ts); nothing in packages/ imports it.
 *
 * Differences from ours, for the record (not closed here, as this is a measurement): undici strips
 * only `authorization`, `cookie`, `proxy-authorization` and `host` across origins (its
 * `stripHeadersOnCrossOriginRedirect` takes a deny list more, not an allow list), so an API-key
 * header under another name (`x-api-key`) would follow a cross-origin redirect; ours keeps only
 * `accept*` and `user-agent`.
 */
import { Agent, interceptors, request } from 'undici';
import {
  MAX_REDIRECTS,
  NetworkFailure,
  type RawResponse,
  type Timeouts,
} from '../../packages/core/src/http/exchange.ts';
import type { HttpRequest } from '../../packages/core/src/http/types.ts';

export { MAX_REDIRECTS, NetworkFailure, type RawResponse, type Timeouts };

const dispatchers = new Map<number, ReturnType<Agent['compose']>>();

function dispatcher(connectMs: number) {
  let d = dispatchers.get(connectMs);
  if (!d) {
    d = new Agent({ connect: { timeout: connectMs }, keepAliveTimeout: 60_000 }).compose(
      interceptors.redirect({ maxRedirections: MAX_REDIRECTS }),
      interceptors.decompress(),
    );
    dispatchers.set(connectMs, d);
  }
  return d;
}

export async function transmit(
  request_: HttpRequest,
  timeouts: Timeouts,
  signal?: AbortSignal,
): Promise<RawResponse> {
  if (signal?.aborted) throw signal.reason;
  const total = AbortSignal.timeout(timeouts.totalMs);
  const both = signal ? AbortSignal.any([signal, total]) : total;
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...request_.headers };
  try {
    const res = await request(request_.url, {
      method: request_.method,
      headers,
      ...(request_.body !== undefined ? { body: request_.body } : {}),
      dispatcher: dispatcher(timeouts.connectMs),
      signal: both,
      headersTimeout: timeouts.totalMs,
      bodyTimeout: timeouts.totalMs,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers as RawResponse['headers'], body };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (total.aborted) throw new NetworkFailure(`timeout after ${timeouts.totalMs} ms`, error);
    const code = (error as { code?: string }).code;
    throw new NetworkFailure(code ?? (error instanceof Error ? error.message : String(error)), error);
  }
}
