import { describe, expect, test } from 'vitest';
import type { ResponseRule } from '../../../src/definition/schema.ts';
import { fullJitter } from '../../../src/http/retry/backoff.ts';
import { classifyResponse } from '../../../src/http/retry/responseRules.ts';
import { pauseOf, quotaExhausted, waitHint } from '../../../src/http/retry/waitHint.ts';

const now = Date.UTC(2026, 10, 23, 6, 0, 0);
const body = (text = '') => Buffer.from(text);

describe('waitHint', () => {
  test('Retry-After in seconds or as an HTTP date', () => {
    expect(waitHint({ 'retry-after': '3' }, now)).toBe(3000);
    expect(waitHint({ 'retry-after': new Date(now + 5000).toUTCString() }, now)).toBe(5000);
    expect(waitHint({ 'retry-after': new Date(now - 5000).toUTCString() }, now)).toBe(0);
  });
  test('RateLimit-Reset (delta) and X-RateLimit-Reset (epoch seconds, epoch ms, or delta)', () => {
    expect(waitHint({ 'ratelimit-reset': '7' }, now)).toBe(7000);
    expect(waitHint({ 'x-ratelimit-reset': String(now / 1000 + 42) }, now)).toBe(42_000);
    expect(waitHint({ 'x-ratelimit-reset': String(now + 1500) }, now)).toBe(1500);
    expect(waitHint({ 'x-ratelimit-reset': '2' }, now)).toBe(2000);
  });
  test('no hint, or garbage', () => {
    expect(waitHint({}, now)).toBeUndefined();
    expect(waitHint({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
  test('quota exhausted', () => {
    expect(quotaExhausted({ 'x-ratelimit-remaining': '0' })).toBe(true);
    expect(quotaExhausted({ 'x-ratelimit-remaining': '10' })).toBe(false);
  });
  test('the pause a response sets for the whole source', () => {
    expect(pauseOf(true, {}, 250)).toBe(250); // a rate limit, for its wait
    expect(pauseOf(false, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '9' }, 9000)).toBe(9000);
    expect(pauseOf(false, { 'retry-after': '2' }, 2000)).toBe(2000); // a 503 that names its wait
    expect(pauseOf(false, { 'x-ratelimit-remaining': '0' }, undefined)).toBeUndefined(); // no reset
    expect(pauseOf(false, { 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '9' }, 9000)).toBeUndefined();
  });
});

describe('the response table', () => {
  test('defaults', () => {
    const c = (status: number, headers = {}, text = '') => classifyResponse([], status, headers, body(text));
    expect(c(200)).toBe('ok');
    expect(c(204)).toBe('ok');
    expect(c(202, {}, '[]')).toBe('notReady');
    expect(c(401)).toBe('refreshAuth');
    expect(c(403)).toBe('fail');
    expect(c(403, { 'x-ratelimit-remaining': '0' })).toBe('rateLimited');
    expect(c(403, { 'retry-after': '60' })).toBe('rateLimited');
    expect(c(403, {}, '{"message":"You have exceeded a secondary Rate Limit"}')).toBe('rateLimited');
    expect(c(404)).toBe('fail');
    expect(c(408)).toBe('retry');
    expect(c(422)).toBe('fail');
    expect(c(425)).toBe('retry');
    expect(c(429)).toBe('rateLimited');
    expect(c(500)).toBe('retry');
    expect(c(503)).toBe('retry');
    expect(c(599)).toBe('retry');
    expect(c(302)).toBe('fail');
  });
  test('source rules come first: headers, body, classes', () => {
    const rules: ResponseRule[] = [
      { status: [500, 503], headers: { 'Stripe-Should-Retry': 'false' }, action: 'fail' },
      { status: 404, action: 'ignore' },
      { status: 200, bodyContains: '"error"', action: 'retry' },
      { status: '4xx', headers: { 'x-any': '*' }, action: 'retry' },
    ];
    expect(classifyResponse(rules, 503, { 'stripe-should-retry': 'FALSE' }, body())).toBe('fail');
    expect(classifyResponse(rules, 503, { 'stripe-should-retry': 'true' }, body())).toBe('retry');
    expect(classifyResponse(rules, 404, {}, body())).toBe('ignore');
    expect(classifyResponse(rules, 200, {}, body('{"error": "busy"}'))).toBe('retry');
    expect(classifyResponse(rules, 200, {}, body('{"data": []}'))).toBe('ok');
    expect(classifyResponse(rules, 418, { 'x-any': '' }, body())).toBe('retry');
    expect(classifyResponse(rules, 418, {}, body())).toBe('fail');
  });
  test('a source overrides the 202 default: data for an API whose 202 is data', () => {
    expect(classifyResponse([{ status: 202, action: 'ok' }], 202, {}, body('[]'))).toBe('ok');
    expect(classifyResponse([{ status: 202, action: 'fail' }], 202, {}, body('[]'))).toBe('fail');
  });
});

describe('full jitter', () => {
  test('uniform in [0, min(max, base × 2^(n-1))]', () => {
    expect(fullJitter(1, 100, 10_000, () => 0.999)).toBe(99);
    expect(fullJitter(4, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitter(20, 100, 10_000, () => 0.999)).toBe(9990);
    expect(fullJitter(3, 100, 10_000, () => 0)).toBe(0);
  });
});
