/** A loopback file server for the decoder tests: each path answers a body built by the test. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveLoopback } from '@tributary/testkit';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { Page, ReadOptions } from '../../src/stream/types.ts';
import { FAST_RETRY, WINDOW } from '../http/support.ts';

export type FileRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => unknown;

const quiet = { debug() {}, info() {}, warn() {} };

export interface FileApi {
  url: string;
  requests: URL[];
  read(stream: string, options?: Partial<ReadOptions>): Promise<Page[]>;
  pages(stream: string, options?: Partial<ReadOptions>): AsyncIterable<Page>;
  close(): Promise<void>;
}

export async function serveFiles(route: FileRoute, streams: SourceInput['streams']): Promise<FileApi> {
  const requests: URL[] = [];
  const server = await serveLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    return route(req, res, url);
  });
  const source = defineSource({
    name: 'files-test',
    baseUrl: 'https://files.example.com',
    retry: FAST_RETRY,
    streams,
  });
  const reader = createReader(source, { baseUrl: server.url, logger: quiet });
  return {
    url: server.url,
    requests,
    close: server.close,
    pages: (stream, options = {}) => reader(stream, { window: WINDOW, ...options }),
    async read(stream, options = {}) {
      const pages: Page[] = [];
      for await (const page of reader(stream, { window: WINDOW, ...options })) pages.push(page);
      return pages;
    },
  };
}

export const rowsOf = (pages: Page[]) => pages.flatMap((page) => page.records);
