/** The contract between the sandbox server and each API it speaks. */
import type { IncomingHttpHeaders } from 'node:http';

export const SOURCE_NAMES = ['github', 'stripe', 'hotmart', 'socrata'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export interface SandboxRequest {
  method: string;
  /** The full request URL (host from the Host header). */
  url: URL;
  /** The route pattern's match on the path. */
  match: RegExpMatchArray;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless a string. */
  body: unknown;
}

/** What a page served, for the `served()` report: the stream and each record's primary key. */
export interface ServedBatch {
  stream: string;
  keys: string[];
}

export interface RouteResult extends SandboxResponse {
  served?: ServedBatch;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the end of the path, so a base URL with a prefix (`/github`, `/v1`) works too. */
  pattern: RegExp;
  /** Token endpoints check their own credentials; every other route goes through `authorize`. */
  public?: boolean;
  /** Token endpoints and the like are never faulted. */
  noFaults?: boolean;
  handle(request: SandboxRequest): RouteResult;
}

/** One API: its routes, how it checks credentials, how it says no, and how its data moves on. */
export interface SandboxApi {
  readonly name: SourceName;
  readonly routes: Route[];
  /** `undefined` when the request carries the credentials this API expects; else its error response. */
  authorize(request: SandboxRequest): SandboxResponse | undefined;
  /** The API's own answer to bad credentials (the `unauthorized` failure mode). */
  unauthorized(): SandboxResponse;
  rateLimited(retryAfterSeconds: number): SandboxResponse;
  unavailable(): SandboxResponse;
  serverError(): SandboxResponse;
  /** Updates some records and adds new ones, dated just before `now`. */
  advance(now: number, epoch: number): void;
  /** The current records of a stream (what a full read would return), for assertions. */
  records(stream: string): Record<string, unknown>[];
  /** Stream names, as the sources name them. */
  streams(): string[];
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

/** A positive integer query parameter clamped to [1, max], or the default. */
export function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  const value = raw === null ? Number.NaN : Number.parseInt(raw, 10);
  if (!Number.isFinite(value) || value < 1) return fallback;
  return Math.min(value, max);
}
