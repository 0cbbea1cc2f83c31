/** Walks a sandbox API the way a client does, for the tests. */
export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** The `rel="next"` URL of an RFC 8288 Link header. */
export function nextLink(link: string | null): string | undefined {
  return link
    ?.split(',')
    .find((part) => part.includes('rel="next"'))
    ?.match(/<([^>]+)>/)?.[1];
}
