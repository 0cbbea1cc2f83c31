/**
 * Defence in depth for logs: the HTTP layer already strips secrets from the URLs it reports; this
 * also drops user-info and masks query values whose names look like credentials.
 */
const SENSITIVE = /(key|token|secret|pass|sig|auth|credential|session|code)/i;

export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\?.*$/, '?…');
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SENSITIVE.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}
