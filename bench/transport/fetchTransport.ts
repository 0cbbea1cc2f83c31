/**
 * The transport A/B's global-fetch contender: the same `transmit` as packages/core/src/http/transport.ts
 * on Node's own `fetch` (its bundled undici; nothing to bundle): `redirect: 'follow'` (fetch's limit
 * is 20, not ours 5), decompression by fetch itself, the total timeout as an abort signal. fetch has
 * no connect timeout of its own (undici's default 10 s applies). Swapped in for the core's transport
 * at bundle time (transport/build.ts); nothing in packages/ imports it.
 *
 * Differences from ours, for the record: fetch strips only `authorization`, `proxy-authorization`
 * and `cookie` across origins (the Fetch standard), so an API-key header under another name would
 * follow a cross-origin redirect.
 */
import {
  MAX_REDIRECTS,
  NetworkFailure,
  type RawResponse,
  type Timeouts,
} from '../../packages/core/src/http/exchange.ts';
import type { HttpRequest } from '../../packages/core/src/http/types.ts';

export { MAX_REDIRECTS, NetworkFailure, type RawResponse, type Timeouts };

export async function transmit(
  request: HttpRequest,
  timeouts: Timeouts,
  signal?: AbortSignal,
): Promise<RawResponse> {
  if (signal?.aborted) throw signal.reason;
  const total = AbortSignal.timeout(timeouts.totalMs);
  const both = signal ? AbortSignal.any([signal, total]) : total;
  try {
    const res = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'follow',
      signal: both,
    });
    const body = Buffer.from(await res.arrayBuffer());
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: res.status, headers, body };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (total.aborted) throw new NetworkFailure(`timeout after ${timeouts.totalMs} ms`, error);
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new NetworkFailure(cause?.code ?? (error instanceof Error ? error.message : String(error)), error);
  }
}
