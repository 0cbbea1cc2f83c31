/**
 * RFC 8288 `Link` header: `<https://api.example.com/items?page=2>; rel="next", <…>; rel="last"`.
 * Returns the target of the first link whose `rel` (a space-separated list, case-insensitive)
 * includes `rel`.
 */
const LINK = /<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*(?:=\s*(?:"[^"]*"|[^;,]*))?)*)/g;
const PARAM = /;\s*([^;,=\s]+)\s*(?:=\s*(?:"([^"]*)"|([^;,]*)))?/g;

export function findLink(header: string | undefined, rel: string): string | undefined {
  if (!header) return undefined;
  const wanted = rel.toLowerCase();
  for (const link of header.matchAll(LINK)) {
    for (const param of (link[2] ?? '').matchAll(PARAM)) {
      if (param[1]?.toLowerCase() !== 'rel') continue;
      const rels = (param[2] ?? param[3] ?? '').trim().toLowerCase().split(/\s+/);
      if (rels.includes(wanted)) return link[1];
    }
  }
  return undefined;
}
