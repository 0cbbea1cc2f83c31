/** What the HTTP layer passes around: one request, one response, where it happens. */

export interface HttpRequest {
  method: 'GET' | 'POST';
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
  /** A response rule said `ignore`: treat as no records. */
  ignored?: boolean;
}

/** Where a request happens, for errors, logs and the observer. */
export interface RequestInfo {
  stream?: string;
  page?: number;
}

export type { ReaderLogger } from '../stream/types.ts';

export function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
