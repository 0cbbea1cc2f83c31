/**
 * What `pnpm check` masks before it prints: header values other than the harmless ones, URL params
 * named like secrets (or the ones auth sends), and the values of secret-looking keys in a sample
 * record. Everything printed also goes through the `Redactor` that holds the secret's values.
 */
import { REDACTED, type Redactor } from '@tributary/core/definition';
import { sanitize } from '@tributary/core/raw-zone';

/** Header names shown with their values; every other header's value is masked. */
const SHOWN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'user-agent',
  'content-type',
  'content-length',
  'host',
  'connection',
]);

/** Words that make a key look like a secret's (in its snake_case form): masked in the sample record and in URLs. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'credential',
  'credentials',
  'cookie',
  'signature',
]);
const SECRET_PAIRS = /(^|_)(api|access|private|secret|session)_key($|_)|(^|_)session_id($|_)/;

/** `client_secret`, `accessToken`, `X-Api-Key`, `api_key`, `session_id`: yes; `author_association`, `authored_at`: no. */
export function looksSecret(key: string): boolean {
  const snake = sanitize(key);
  return snake.split('_').some((word) => SECRET_WORDS.has(word)) || SECRET_PAIRS.test(snake);
}

export function maskUrl(url: string, redactor: Redactor, hidden: Set<string>): string {
  if (!URL.canParse(url)) return redactor.redact(url);
  const parsed = new URL(url);
  const names = [...parsed.searchParams.keys()].filter((k) => hidden.has(k) || looksSecret(k));
  return redactor.url(parsed, names);
}

export function maskHeader(name: string, value: string, redactor: Redactor, declared: Set<string>): string {
  const lower = name.toLowerCase();
  if ((SHOWN_HEADERS.has(lower) || declared.has(lower)) && !looksSecret(name)) return redactor.redact(value);
  const scheme = /^(Bearer|Basic|Token|Bot|Digest|OAuth)\s+\S/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}

/** A record with secret-looking keys' values masked, at any depth. */
export function maskRecord(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskRecord);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, looksSecret(k) && v !== null ? REDACTED : maskRecord(v)]),
  );
}
