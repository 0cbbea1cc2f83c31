/**
 * One HTTP exchange through axios, nothing more: keep-alive agents, connect and total timeouts,
 * gzip, the raw body as a Buffer (parsed once, later, by whoever needs it). Every status comes back
 * as a response; failures without a response become a `NetworkFailure` with a short reason.
 */
import axios, { AxiosError } from 'axios';
import { keepAliveAgents } from './agents.ts';
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
  /** `ECONNRESET`, `ECONNREFUSED`, `timeout`, `connect timeout`, `truncated body`, … */
  readonly reason: string;

  constructor(reason: string, cause: unknown) {
    super(reason, { cause });
    this.reason = reason;
  }
}

const client = axios.create({
  responseType: 'arraybuffer',
  validateStatus: () => true,
  decompress: true,
  maxRedirects: 5,
  // axios would otherwise turn the body into text or JSON first.
  transformResponse: [],
});

function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  const causeCode = (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ETIMEDOUT' || causeCode === 'ETIMEDOUT') {
    return /connect timeout/.test(
      String((error as Error).message) + String((error as { cause?: Error }).cause?.message),
    )
      ? 'connect timeout'
      : 'ETIMEDOUT';
  }
  if (error instanceof AxiosError && code === 'ERR_BAD_RESPONSE') return 'truncated body';
  return causeCode ?? code ?? (error instanceof Error ? error.message : String(error));
}

export async function transmit(
  request: HttpRequest,
  timeouts: Timeouts,
  signal?: AbortSignal,
): Promise<RawResponse> {
  const total = AbortSignal.timeout(timeouts.totalMs);
  const agents = keepAliveAgents(timeouts.connectMs);
  try {
    const response = await client.request<Buffer>({
      url: request.url.href,
      method: request.method,
      headers: request.headers,
      data: request.body,
      httpAgent: agents.http,
      httpsAgent: agents.https,
      signal: signal ? AbortSignal.any([signal, total]) : total,
    });
    return { status: response.status, headers: response.headers as ResponseHeaders, body: response.data };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (total.aborted) throw new NetworkFailure(`timeout after ${timeouts.totalMs} ms`, error);
    throw new NetworkFailure(reasonOf(error), error);
  }
}
