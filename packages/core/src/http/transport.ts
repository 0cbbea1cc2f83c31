/**
 * One HTTP exchange, its raw body as one Buffer (parsed once, later, by whoever needs it): the
 * buffered response every JSON page is read from, over the exchange in `exchange.ts` (node:http /
 * node:https, keep-alive, timeouts, redirects, decompression). `pnpm bench --only transport` swaps
 * this file for undici's or fetch's at bundle time; the streamed file path (`streamTransport.ts`,
 * csv/jsonl decoders) keeps the exchange in every bundle.
 *
 * Why hand-written and not undici or global fetch (issue 14 item 7; `pnpm bench --only transport`,
 * bench/FINDINGS.md §12): with everything else the same core, on the same gzipped pages, measured in
 * one run, undici 8.13.1 (`request` + its redirect and decompress interceptors) cost 1.06 × ours in
 * CPU per record, 1.34 × in cold-init CPU to the first response, and doubles the bundle (1.58 MB, over
 * the 1 MB budget); global fetch cost 1.33 × per record and 1.23 × in cold init (it loads Node's
 * internal undici on the first call). Neither is within 5 % on both, so this one stays. Both also
 * strip only `authorization`, `cookie` and `proxy-authorization` on a cross-origin redirect (undici
 * takes a deny list more), where this one keeps only `accept*` and `user-agent`: an API key may
 * travel in any header.
 */
import { buffered, type RawResponse, send, type Timeouts } from './exchange.ts';
import type { HttpRequest } from './types.ts';

export { MAX_REDIRECTS, NetworkFailure, type RawResponse, type Timeouts } from './exchange.ts';

export function transmit(
  request: HttpRequest,
  timeouts: Timeouts,
  signal?: AbortSignal,
): Promise<RawResponse> {
  return send(request, timeouts, signal, buffered);
}
