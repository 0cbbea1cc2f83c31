/**
 * The HTTP request for one page: the walk's URL with the paginator's params (or the URL it gives),
 * the walk's headers, and — for a `json` or `form` request — the walk's body with the paginator's
 * body values set, encoded. The body is rendered from the definition for every walk and page, never
 * carried in a position: a resumed walk re-renders it and sets the paginator state's values again.
 */
import type { HttpRequest } from '../http/types.ts';
import type { PageRequest } from '../pagination/types.ts';
import type { RequestStyle } from './types.ts';

/** A walk's first request, rendered once (`StreamPlan.walk`). */
export interface WalkRequest {
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export function pageRequest(style: RequestStyle, walk: WalkRequest, page: PageRequest): HttpRequest {
  const url = page.url !== undefined ? new URL(page.url) : new URL(walk.url);
  if (page.params) for (const [k, v] of Object.entries(page.params)) url.searchParams.set(k, v);
  const encoded = style.encode(walk.body, page.body);
  if (!encoded) return { method: style.method, url, headers: walk.headers };
  const headers = { ...walk.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    headers['content-type'] = encoded.contentType;
  return { method: style.method, url, headers, body: encoded.body };
}
