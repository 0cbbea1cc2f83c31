/**
 * The response table: which responses are data, retried, not ready yet, waited out, refreshed,
 * ignored or fatal. The source's `responseRules` come first, then these defaults; the first row
 * that matches decides. No row matching: 2xx is a success, anything else `fail`. A source overrides
 * a default with its own row (e.g. `{ status: 202, action: 'ok' }` for an API whose 202 is data).
 */
import type { ResponseAction, ResponseRule } from '../../definition/schema.ts';
import { header, type ResponseHeaders } from '../types.ts';

export const defaultResponseRules: readonly ResponseRule[] = [
  // A 2xx that is not data: "202 Request Processing — retry your request" (Socrata, SODA response
  // codes). Taken as data, its body (often `[]`) would end the walk early, and the run would report
  // `complete` with rows unread.
  { status: 202, action: 'notReady' },
  // Credentials expired or refused: refresh once (OAuth2), else fatal.
  { status: 401, action: 'refreshAuth' },
  // Quota used up (GitHub answers 403 or 429 with x-ratelimit-remaining: 0).
  { status: [403, 429], headers: { 'x-ratelimit-remaining': '0' }, action: 'rateLimited' },
  { status: [403, 429], headers: { 'ratelimit-remaining': '0' }, action: 'rateLimited' },
  // A 403 that says when to come back is a rate limit (GitHub's secondary limits), not a refusal.
  { status: 403, headers: { 'retry-after': '*' }, action: 'rateLimited' },
  { status: 403, bodyContains: 'rate limit', action: 'rateLimited' },
  { status: 429, action: 'rateLimited' },
  { status: [408, 425], action: 'retry' },
  { status: '5xx', action: 'retry' },
];

/** The action for a response: `ok` when no row matches a 2xx, `fail` when none matches anything else. */
export type ResponseOutcome = ResponseAction;

function statusMatches(match: ResponseRule['status'], status: number): boolean {
  if (Array.isArray(match)) return match.some((m) => statusMatches(m, status));
  if (typeof match === 'number') return match === status;
  return match[0] === String(Math.floor(status / 100));
}

export function ruleMatches(
  rule: ResponseRule,
  status: number,
  headers: ResponseHeaders,
  body: () => string,
): boolean {
  if (!statusMatches(rule.status, status)) return false;
  if (rule.headers) {
    for (const [name, expected] of Object.entries(rule.headers)) {
      const actual = header(headers, name.toLowerCase());
      if (actual === undefined) return false;
      if (expected !== '*' && actual.trim().toLowerCase() !== expected.toLowerCase()) return false;
    }
  }
  if (rule.bodyContains !== undefined && !body().includes(rule.bodyContains.toLowerCase())) return false;
  return true;
}

/**
 * Classifies a response through the source's rules, then the defaults. The body is decoded (and
 * lower-cased) only if a row looks into it, and at most once.
 */
export function classifyResponse(
  rules: readonly ResponseRule[],
  status: number,
  headers: ResponseHeaders,
  body: Buffer,
): ResponseOutcome {
  let text: string | undefined;
  const lowerBody = () => {
    text ??= body
      .subarray(0, 64 * 1024)
      .toString('utf8')
      .toLowerCase();
    return text;
  };
  for (const list of [rules, defaultResponseRules]) {
    for (const rule of list) if (ruleMatches(rule, status, headers, lowerBody)) return rule.action;
  }
  return status >= 200 && status < 300 ? 'ok' : 'fail';
}
