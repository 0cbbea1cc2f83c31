import { describe, expect, test } from 'vitest';
import { getPath } from '../../../src/definition/template/getPath.ts';
import { compileTemplate, renderTemplate } from '../../../src/definition/template/template.ts';

const since = new Date('2026-11-01T00:00:00Z');
const until = new Date('2026-11-23T12:30:00.250Z');

describe('templates', () => {
  test('window bounds in every format', () => {
    const t = compileTemplate('{since}|{since:unix}|{since:unixMs}|{since:date}|{until}|{until:unix}');
    expect(renderTemplate(t, { since, until }).value).toBe(
      `2026-11-01T00:00:00Z|${Date.UTC(2026, 10, 1) / 1000}|${Date.UTC(2026, 10, 1)}|2026-11-01|2026-11-23T12:30:00.250Z|${Math.floor(until.getTime() / 1000)}`,
    );
  });

  test('floating: UTC without a zone, to the millisecond (SoQL timestamps)', () => {
    expect(renderTemplate(compileTemplate(":updated_at > '{since:floating}'"), { since }).value).toBe(
      ":updated_at > '2026-11-01T00:00:00.000'",
    );
  });

  test('partition values and parent fields, percent-encoded as path segments unless {+raw}', () => {
    const t = compileTemplate('/repos/{owner}/{repo}/issues/{parent.number}/{parent.user.login}');
    const values = { vars: { owner: 'a b', repo: 'x/y' }, parent: { number: 7, user: { login: 'ü?' } } };
    expect(renderTemplate(t, values, encodeURIComponent).value).toBe('/repos/a%20b/x%2Fy/issues/7/%C3%BC%3F');
    const raw = compileTemplate('{+parent.url}/comments');
    expect(renderTemplate(raw, { parent: { url: 'https://h/x?y=1' } }, encodeURIComponent).value).toBe(
      'https://h/x?y=1/comments',
    );
  });

  test('a missing value is named, not guessed', () => {
    expect(renderTemplate(compileTemplate('a{since}'), { until })).toEqual({ missing: 'since' });
    expect(renderTemplate(compileTemplate('{parent.id}'), { parent: {} })).toEqual({ missing: 'parent.id' });
  });

  test('text without placeholders, braces that are not placeholders', () => {
    expect(renderTemplate(compileTemplate('{"a":1}'), {}).value).toBe('{"a":1}');
    expect(renderTemplate(compileTemplate(":updated_at > '{since}'"), { since }).value).toBe(
      ":updated_at > '2026-11-01T00:00:00Z'",
    );
  });

  test('dotted paths', () => {
    const body = { data: { items: [1] }, ':id': 'x' };
    expect(getPath(body, 'data.items')).toEqual([1]);
    expect(getPath(body, '')).toBe(body);
    expect(getPath(body, ':id')).toBe('x');
    expect(getPath(body, 'data.missing.deeper')).toBeUndefined();
    expect(getPath(null, 'a')).toBeUndefined();
  });
});
