/** Each paginator's next-state function, page by page, without HTTP. */
import { describe, expect, test } from 'vitest';
import type { PaginatorDefinition } from '../../src/definition/schema.ts';
import { PaginatorSchema } from '../../src/definition/schema.ts';
import { findLink } from '../../src/pagination/parseLinkHeader.ts';
import { createPaginator } from '../../src/pagination/registry.ts';
import type { PageResult } from '../../src/pagination/types.ts';

const paginator = (input: unknown) => createPaginator(PaginatorSchema.parse(input) as PaginatorDefinition);
const page = (records: unknown[], body: unknown = {}, headers: Record<string, string> = {}): PageResult => ({
  body,
  records,
  headers,
  url: new URL('https://api.example.com/v1/items?x=1'),
  cleanUrl: (href) => href.replace(/([?&])key=[^&]*&?/, '$1').replace(/[?&]$/, ''),
});
const n = (count: number) => Array.from({ length: count }, (_, i) => ({ id: i }));

describe('single', () => {
  test('one page', () => {
    const p = paginator({ type: 'single' });
    expect(p.request(p.start())).toEqual({});
    expect(p.next(p.start(), page(n(5)))).toBeNull();
  });
});

describe('offset', () => {
  const p = paginator({
    type: 'offset',
    limit: 3,
    offsetParam: '$offset',
    limitParam: '$limit',
    totalPath: 'meta.total',
  });
  test('params and the next offset counting the records received', () => {
    expect(p.request(p.start())).toEqual({ params: { $offset: '0', $limit: '3' } });
    expect(p.next({ offset: 0 }, page(n(3)))).toEqual({ offset: 3 });
  });
  test('stops on a short page, an empty page, or the total', () => {
    expect(p.next({ offset: 3 }, page(n(2)))).toBeNull();
    expect(p.next({ offset: 3 }, page([]))).toBeNull();
    expect(p.next({ offset: 3 }, page(n(3), { meta: { total: 6 } }))).toBeNull();
    expect(p.next({ offset: 3 }, page(n(3), { meta: { total: '7' } }))).toEqual({ offset: 6 });
  });
});

describe('page', () => {
  test('page numbers from startPage, size param', () => {
    const p = paginator({
      type: 'page',
      startPage: 0,
      sizeParam: 'per_page',
      size: 2,
      totalPagesPath: 'pages',
    });
    expect(p.request(p.start())).toEqual({ params: { page: '0', per_page: '2' } });
    expect(p.next({ page: 0 }, page(n(2), { pages: 3 }))).toEqual({ page: 1 });
    expect(p.next({ page: 2 }, page(n(2), { pages: 3 }))).toBeNull(); // total pages reached
    expect(p.next({ page: 1 }, page(n(1)))).toBeNull(); // short
    expect(p.next({ page: 1 }, page([]))).toBeNull(); // empty
  });
  test('without a size: goes on until an empty page', () => {
    const p = paginator({ type: 'page' });
    expect(p.next({ page: 1 }, page(n(1)))).toEqual({ page: 2 });
    expect(p.next({ page: 2 }, page([]))).toBeNull();
  });
});

describe('cursor', () => {
  test('from the body; stops without a cursor', () => {
    const p = paginator({ type: 'cursor', param: 'page_token', cursorPath: 'page_info.next_page_token' });
    expect(p.request(p.start())).toEqual({});
    expect(p.next(p.start(), page(n(2), { page_info: { next_page_token: 'abc' } }))).toEqual({
      cursor: 'abc',
    });
    expect(p.request({ cursor: 'abc' })).toEqual({ params: { page_token: 'abc' } });
    expect(p.next({ cursor: 'abc' }, page(n(2), { page_info: {} }))).toBeNull();
    expect(p.next({ cursor: 'abc' }, page(n(2), { page_info: { next_page_token: '' } }))).toBeNull();
  });
  test('from the last record, while has_more', () => {
    const p = paginator({
      type: 'cursor',
      param: 'starting_after',
      lastRecordPath: 'id',
      hasMorePath: 'has_more',
    });
    const records = [{ id: 'ch_1' }, { id: 'ch_2' }];
    expect(p.next(p.start(), page(records, { has_more: true }))).toEqual({ cursor: 'ch_2' });
    expect(p.next(p.start(), page(records, { has_more: false }))).toBeNull();
    expect(p.next(p.start(), page([], { has_more: true }))).toBeNull();
  });
});

describe('nextUrl', () => {
  test('absolute or relative to the page, credentials dropped; stops when absent', () => {
    const p = paginator({ type: 'nextUrl', path: 'links.next' });
    expect(p.request(p.start())).toEqual({});
    expect(p.next(p.start(), page(n(1), { links: { next: '/v1/items?cursor=2&key=s3cret' } }))).toEqual({
      url: 'https://api.example.com/v1/items?cursor=2',
    });
    expect(p.next(p.start(), page(n(1), { links: { next: 'page3' } }))).toEqual({
      url: 'https://api.example.com/v1/page3',
    });
    expect(p.request({ url: 'https://x/y' })).toEqual({ url: 'https://x/y' });
    expect(p.next(p.start(), page(n(1), { links: { next: null } }))).toBeNull();
  });
});

describe('link', () => {
  test('follows rel="next"; stops without one', () => {
    const p = paginator({ type: 'link' });
    const link =
      '<https://api.github.com/repositories/1/issues?page=3>; rel="next", <https://api.github.com/repositories/1/issues?page=9>; rel="last"';
    expect(p.next(p.start(), page(n(1), {}, { link }))).toEqual({
      url: 'https://api.github.com/repositories/1/issues?page=3',
    });
    expect(p.next(p.start(), page(n(1), {}, { link: '<https://x/?page=1>; rel="prev"' }))).toBeNull();
    expect(p.next(p.start(), page(n(1)))).toBeNull();
  });
  test('RFC 8288 parsing: rel lists, unquoted, case, commas in URLs, other params', () => {
    expect(findLink('<https://x/a?b=1,2>; rel="prev next"', 'next')).toBe('https://x/a?b=1,2');
    expect(findLink('<https://x/a>; title="a, b; c"; REL=Next', 'next')).toBe('https://x/a');
    expect(findLink('</rel>; rel=next', 'next')).toBe('/rel');
    expect(findLink('<https://x/a>; rel="nextish"', 'next')).toBeUndefined();
  });
});

describe('headerCursor', () => {
  test('sends the header as param; stops on an absent header or a stop value (Salesforce: "null")', () => {
    const p = paginator({ type: 'headerCursor', header: 'Sforce-Locator', param: 'locator' });
    expect(p.request(p.start())).toEqual({});
    // Node gives header names in lowercase
    const next = p.next(p.start(), page(n(2), {}, { 'sforce-locator': 'MTAwMDA' }));
    expect(next).toEqual({ cursor: 'MTAwMDA' });
    expect(p.request(next as { cursor: string })).toEqual({ params: { locator: 'MTAwMDA' } });
    expect(p.next(p.start(), page(n(2), {}, { 'sforce-locator': 'null' }))).toBeNull();
    expect(p.next(p.start(), page(n(2), {}, { 'sforce-locator': '' }))).toBeNull();
    expect(p.next(p.start(), page(n(2)))).toBeNull();
  });

  test('its own stop values replace the default', () => {
    const p = paginator({ type: 'headerCursor', header: 'X-Next', param: 'c', stopValues: ['end'] });
    expect(p.next(p.start(), page(n(1), {}, { 'x-next': 'end' }))).toBeNull();
    expect(p.next(p.start(), page(n(1), {}, { 'x-next': 'null' }))).toEqual({ cursor: 'null' });
  });
});
