/** The contract between the sandbox server and each API it speaks. */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxSources } from './double.ts';
import type { ResolvedOptions } from './options.ts';
import type { Timeline } from './time.ts';

/**
 * A source the sandbox speaks: a name its double declares (`SandboxSources`, augmented by each
 * `functions/<source>/double/index.ts`), known at compile time; at run time every name a caller
 * passes is checked against the doubles found (sources.ts `knownSource`).
 */
export type SourceName = keyof SandboxSources & string;

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

/** What a double is given to build its API in the sandbox. */
export interface SandboxApiContext<N extends SourceName = SourceName> {
  seed: number;
  timeline: Timeline;
  /** Records per stream at start (the `records` option for this source). */
  records: number;
  /** The credentials it must accept (the `credentials` option for this source, else its own). */
  credentials: SandboxSources[N];
  /** The sandbox's resolved options (`githubRepositories`, `socrataDatasets`, …). */
  options: ResolvedOptions;
}

/**
 * What `functions/<source>/double/index.ts` exports as `sandboxApi` for the sandbox to mount it:
 * the sandbox's list of sources is the doubles found that export one (sources.ts).
 */
export interface SandboxApiDouble<N extends SourceName = SourceName> {
  /** The source's name: its folder under functions/. */
  readonly name: N;
  /** The secret `api-credentials/<source>` it accepts unless the `credentials` option says otherwise. */
  readonly credentials: SandboxSources[N];
  create(context: SandboxApiContext<N>): SandboxApi;
  /** What the source's function needs to call it at `url`, besides `API_BASE_URL`. @default none */
  env?(url: string, options: ResolvedOptions): Record<string, string>;
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
