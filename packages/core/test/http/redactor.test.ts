import { expect, test } from 'vitest';
import { Redactor } from '../../src/http/Redactor.ts';

test('strips each secret value, raw, percent- and form-encoded, from any text', () => {
  const r = new Redactor();
  r.add('s3cr3t value/+', 'ab', undefined);
  expect(r.redact('token=s3cr3t value/+ end')).toBe('token=*** end');
  expect(r.redact(`q=${encodeURIComponent('s3cr3t value/+')}`)).toBe('q=***');
  expect(r.redact('q=s3cr3t+value%2F%2B')).toBe('q=***');
  expect(r.redact('ab stays: too short to be told from ordinary text')).toContain('ab stays');
});

test('URLs: credential params masked whatever their value; snippets on one line, cut', () => {
  const r = new Redactor();
  expect(r.url('https://x/y?api_key=anything&page=2', ['api_key'])).toBe('https://x/y?api_key=***&page=2');
  expect(r.snippet(Buffer.from(`  {\n  "a":\t1 }${'x'.repeat(500)}`), 20)).toBe('{ "a": 1 }xxxxxxxxxx…');
});
