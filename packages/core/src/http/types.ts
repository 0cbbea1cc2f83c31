/** What the HTTP layer passes around: one request, one response, where it happens. */
import type { Readable } from 'node:stream';
import type { ResponseRule } from '../definition/schema.ts';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Full URL, query included, before credentials are added. */
  url: URL;
  headers: Record<string, string>;
  /** A form or JSON body, already encoded. */
  body?: string;
}

/** Response headers with lowercase names, as Node gives them. */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  /** The raw (decompressed) body: parsed once, by whoever needs it. */
  body: Buffer;
  /** The URL, secrets stripped. */
  url: string;
  /** `HttpClient.stream`: the whole (decoded) body as it arrives; `body` is then its first 64 KiB. */
  stream?: Readable;
  /**
   * A response rule said the answer holds no records: `ignore` (the walk ends, cut short) or `empty`
   * (the API's documented "nothing here": the walk ends at the API's own end).
   */
  noRecords?: 'ignore' | 'empty';
}

/** Where a request happens, for errors, logs and the observer. */
export interface RequestInfo {
  stream?: string;
  page?: number;
  /** The stream's own response rules, checked before the source's. */
  rules?: readonly ResponseRule[];
  /**
   * Whether an attempt that may have reached the API (a 5xx, a timeout, a reset) may be sent again
   * (request/retrySafety.ts). @default true
   */
  retrySafe?: boolean;
}

export type { ReaderLogger } from '../stream/types.ts';

export function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
