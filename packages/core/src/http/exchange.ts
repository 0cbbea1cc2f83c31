/**
 * The node:http / node:https exchange that `transmit` (transport.ts, the buffered response) and
 * `transmitStream` (streamTransport.ts, a file body handed on as it arrives) share: keep-alive
 * agents, connect and total timeouts, redirects followed with credentials stripped across origins,
 * gzip / deflate / br decoded. Every status comes back as a response; failures without a complete
 * response become a `NetworkFailure` with a short reason.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { keepAliveAgents } from './agents.ts';
import { decodeBody, UndecodableBody } from './decodeBody.ts';
import { type Redirect, redirectOf } from './redirect.ts';
import type { HttpRequest, ResponseHeaders } from './types.ts';

export interface Timeouts {
  connectMs: number;
  totalMs: number;
}

export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
}

/** No response: the connection failed, was reset, or the request timed out. Retryable. */
export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
  /**
   * `ECONNRESET`, `ECONNREFUSED`, `ETIMEDOUT`, `connect timeout`, `timeout after N ms`, `truncated body`,
   * `corrupt gzip body` (or deflate, br), a TLS code such as `DEPTH_ZERO_SELF_SIGNED_CERT`, …
   */
  readonly reason: string;

  constructor(reason: string, cause: unknown) {
    super(reason, { cause });
    this.reason = reason;
  }
}

/**
 * Redirects followed per exchange (301, 302, 303, 307, 308). One more redirect comes back as the
 * 3xx response it is, which the response table then fails (not retried: a loop does not mend).
 * @default 5
 */
export const MAX_REDIRECTS = 5;

/** What may end an exchange early: the total timeout or the caller's abort. */
export class Cancel {
  reason: unknown;
  timedOut = false;
  /** Tears down the exchange in flight, if any. */
  onCancel: ((reason: unknown) => void) | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #signal: AbortSignal | undefined;
  readonly #abort = () => this.#fire(this.#signal!.reason);

  constructor(totalMs: number, signal: AbortSignal | undefined) {
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#fire(new Error(`timeout after ${totalMs} ms`));
    }, totalMs);
    this.#signal = signal;
    signal?.addEventListener('abort', this.#abort, { once: true });
  }

  get cancelled(): boolean {
    return this.timedOut || this.#signal?.aborted === true;
  }

  #fire(reason: unknown): void {
    this.reason ??= reason;
    this.onCancel?.(reason);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#abort);
  }
}

export interface Hop {
  status: number;
  headers: ResponseHeaders;
  /** The raw (still encoded) body; absent for a redirect about to be followed. */
  body?: Buffer;
  redirect?: Redirect;
  /** The response itself, its body unread: a status `keep` asked for (streamTransport.ts). */
  response?: IncomingMessage;
}

export class Truncated extends Error {}

function outgoingHeaders(request: HttpRequest): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...request.headers };
  let acceptEncoding = false;
  let contentLength = false;
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === 'accept-encoding') acceptEncoding = true;
    else if (lower === 'content-length') contentLength = true;
  }
  if (!acceptEncoding) headers['accept-encoding'] = 'gzip, deflate, br';
  // A length, not chunked encoding: some token endpoints refuse a chunked form.
  if (request.body !== undefined && !contentLength)
    headers['content-length'] = Buffer.byteLength(request.body);
  return headers;
}

/**
 * Sends one request (the first, or where a redirect leads) and reads its response; a redirect to
 * follow is drained, not read. A status `keep` says yes to comes back with its response unread.
 */
function exchange(
  { url, method, headers, body }: Redirect,
  connectMs: number,
  cancel: Cancel,
  redirectsLeft: number,
  keep?: (status: number) => boolean,
): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    if (cancel.cancelled) return reject(cancel.reason);
    const agents = keepAliveAgents(connectMs);
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    let res: IncomingMessage | undefined;
    let settled = false;
    /** The exchange ends once: the first of response, redirect, failure or cancel wins. */
    const settle = (end: () => void) => {
      if (settled) return;
      settled = true;
      cancel.onCancel = undefined;
      end();
    };
    const fail = (error: unknown) => settle(() => reject(error));
    const req = send(url, { method, headers, agent: https ? agents.https : agents.http }, (response) => {
      res = response;
      const status = response.statusCode ?? 0;
      const redirect =
        redirectsLeft > 0 ? redirectOf(status, response.headers, url, method, headers, body) : undefined;
      if (redirect) {
        // Drained to its end first, so that its socket is back in the pool for the next hop.
        const follow = () => settle(() => resolve({ status, headers: response.headers, redirect }));
        response.on('end', follow);
        response.on('close', follow); // a redirect whose body is cut short is still followed
        response.on('error', () => {});
        response.resume();
        return;
      }
      if (keep?.(status)) return settle(() => resolve({ status, headers: response.headers, response }));
      collectBody(response, cancel, fail, (all) =>
        settle(() => resolve({ status, headers: response.headers, body: all })),
      );
    });
    req.on('error', (error) => fail(res ? new Truncated('truncated body', { cause: error }) : error));
    cancel.onCancel = (reason) => {
      fail(reason);
      const error = reason instanceof Error ? reason : new Error(String(reason));
      res?.destroy(error);
      req.destroy(error);
    };
    req.end(body);
  });
}

/** Collects a response's body to its end; a body cut short or broken is a `Truncated` failure. */
function collectBody(
  response: IncomingMessage,
  cancel: Cancel,
  fail: (error: unknown) => void,
  done: (body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
  });
  response.on('end', () => {
    if (!response.complete) return fail(new Truncated('truncated body'));
    done(Buffer.concat(chunks, length));
  });
  response.on('error', (error) =>
    fail(cancel.cancelled ? error : new Truncated('truncated body', { cause: error })),
  );
  response.on('close', () => {
    if (!response.complete) fail(new Truncated('truncated body'));
  });
}

export function reasonOf(error: unknown): string {
  if (error instanceof Truncated) return 'truncated body';
  if (error instanceof UndecodableBody) return error.reason;
  const code = (error as { code?: string }).code;
  if (code === 'ETIMEDOUT' && /connect timeout/.test(String((error as Error).message)))
    return 'connect timeout';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** What an exchange makes of its last hop (a redirect is followed, never finished). */
export type Finish<R> = (hop: Hop, cancel: Cancel) => Promise<R>;

/**
 * One exchange, the plumbing the buffered and the streamed one share: the headers sent, redirects
 * followed (at most {@link MAX_REDIRECTS}), the total timeout and the caller's abort, and every
 * failure as a `NetworkFailure`. The last hop's statuses that `keep` says yes to come with their
 * response unread; `finish` makes the caller's response of it, inside the same timeout.
 */
export async function send<R>(
  request: HttpRequest,
  timeouts: Timeouts,
  signal: AbortSignal | undefined,
  finish: Finish<R>,
  keep?: (status: number) => boolean,
): Promise<R> {
  if (signal?.aborted) throw signal.reason;
  const cancel = new Cancel(timeouts.totalMs, signal);
  const { url, method, body } = request;
  let next: Redirect = { url, method, headers: outgoingHeaders(request), body };
  try {
    for (let redirects = 0; ; redirects++) {
      const hop = await exchange(next, timeouts.connectMs, cancel, MAX_REDIRECTS - redirects, keep);
      if (!hop.redirect) return await finish(hop, cancel);
      next = hop.redirect;
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (cancel.timedOut) throw new NetworkFailure(`timeout after ${timeouts.totalMs} ms`, error);
    if (error instanceof NetworkFailure) throw error;
    throw new NetworkFailure(reasonOf(error), error);
  } finally {
    cancel.dispose();
  }
}

/** A hop's collected body, `content-encoding` decoded: the buffered response. */
export async function buffered(hop: Hop, cancel: Cancel): Promise<RawResponse> {
  const decoded = await decodeBody(hop.body!, hop.headers['content-encoding']);
  if (cancel.cancelled) throw cancel.reason;
  return { status: hop.status, headers: hop.headers, body: decoded };
}
