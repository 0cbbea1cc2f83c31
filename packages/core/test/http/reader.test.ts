/** The reader's contract with its caller: cancellation, misuse named, what it reports per request. */
import { startApi } from '@tributary/testkit';
import { afterEach, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { ConfigurationError, EventValidationError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import { capture, readAll, WINDOW } from './support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const source = defineSource({
  name: 'reader-test',
  baseUrl: 'https://x.example',
  streams: {
    items: { path: '/items', paginator: { type: 'page' } },
    children: { path: '/items/{parent.id}', parent: { stream: 'items' } },
  },
});

test('an abort (the handler reaching its deadline) ends a long server-given wait at once', async () => {
  const api = await startApi({ '/items': () => ({ status: 429, headers: { 'retry-after': '200' } }) });
  closers.push(api.close);
  const read = createReader(source, { baseUrl: api.url, logger: capture().logger });
  const controller = new AbortController();
  const reading = readAll(read, 'items', { signal: controller.signal }).catch((e: Error) => e);
  while (api.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  controller.abort(new Error('deadline'));
  expect(await reading).toMatchObject({ message: 'deadline' });
  expect(api.requests).toHaveLength(1);
});

test('an abort cancels a request in flight', async () => {
  const api = await startApi({ '/items': () => new Promise(() => {}) }); // never answers
  closers.push(api.close);
  const read = createReader(source, { baseUrl: api.url, logger: capture().logger });
  const controller = new AbortController();
  const reading = readAll(read, 'items', { signal: controller.signal }).catch((e: Error) => e);
  while (api.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  controller.abort(new Error('deadline'));
  expect(await reading).toMatchObject({ message: 'deadline' });
});

test('each request is reported to the observer with its page and attempt', async () => {
  const api = await startApi({
    '/items': (req) => {
      if (req.nth === 2) return { status: 503 };
      return { body: Number(req.query.get('page')) === 1 ? [{ id: 1 }] : [] };
    },
  });
  closers.push(api.close);
  const c = capture();
  const fast = defineSource({
    ...source,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxTotalWaitMs: 1000 },
  });
  await readAll(createReader(fast, { baseUrl: api.url, logger: c.logger, observer: c.observer }), 'items');
  expect(c.requests).toEqual([
    { stream: 'items', url: `${api.url}/items?page=1`, page: 0, attempt: 1 },
    { stream: 'items', url: `${api.url}/items?page=2`, page: 1, attempt: 1 },
    { stream: 'items', url: `${api.url}/items?page=2`, page: 1, attempt: 2 },
  ]);
});

test('misuse is named: an unknown stream, a child read without its parents', async () => {
  const read = createReader(source, { baseUrl: 'http://127.0.0.1:9' });
  expect(() => read('nope', { window: WINDOW })).toThrow(ConfigurationError);
  expect(() => read('nope', { window: WINDOW })).toThrow(
    'no stream "nope" in source reader-test; streams: items, children',
  );
  await expect(readAll(read, 'children')).rejects.toThrow(EventValidationError);
});
