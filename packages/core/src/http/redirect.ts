/**
 * Where a redirect leads, and what goes there. 301, 302, 303, 307 and 308 with a usable `Location`
 * (absolute or relative, http or https) are followed: 303 — and 301 / 302 after a POST, as browsers
 * do — become a GET without body; 307 and 308 repeat the method and body. Leaving the origin, only
 * headers that cannot carry a credential go along (an API key header may have any name), and a body
 * (a token request's client secret) never does: such a 307 / 308 is not followed but returned.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export interface Redirect {
  url: URL;
  method: string;
  headers: OutgoingHttpHeaders;
  body: string | Buffer | undefined;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Request headers that go along to another origin. */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'user-agent']);

/** Request headers that describe a body, dropped with it. */
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding']);

function target(location: string | undefined, from: URL): URL | undefined {
  if (!location) return undefined;
  try {
    const url = new URL(location, from);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The next request, or `undefined` when the response is no redirect to follow. */
export function redirectOf(
  status: number,
  responseHeaders: IncomingHttpHeaders,
  from: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: string | Buffer | undefined,
): Redirect | undefined {
  if (!REDIRECT_STATUSES.has(status)) return undefined;
  const url = target(responseHeaders.location, from);
  if (!url) return undefined;
  const crossOrigin = url.origin !== from.origin;
  const toGet =
    (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  const nextBody = toGet ? undefined : body;
  if (crossOrigin && nextBody !== undefined) return undefined;
  const next: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (crossOrigin && !CROSS_ORIGIN_HEADERS.has(lower)) continue;
    if (nextBody === undefined && BODY_HEADERS.has(lower)) continue;
    next[name] = headers[name];
  }
  if (crossOrigin) {
    // Credentials in the URL itself stay with the origin they were given for.
    url.username = '';
    url.password = '';
  }
  return { url, method: toGet ? 'GET' : method, headers: next, body: nextBody };
}
