/**
 * Helpers for the HTTP layer's tests: a capturing logger and observer, page collection, a route
 * that counts its requests in flight.
 */

import type { ApiReply, ApiRequest, ApiRoute } from '@tributary/testkit';
import type { Page, ReadObserver, ReadOptions, StreamReader } from '../../src/http/readTypes.ts';
import type { ReaderLogger } from '../../src/http/types.ts';

export interface Captured {
  logger: ReaderLogger;
  observer: Required<ReadObserver>;
  lines: string[];
  retries: Parameters<Required<ReadObserver>['onRetry']>[0][];
  requests: Parameters<Required<ReadObserver>['onRequest']>[0][];
  /** Everything logged or observed, as one text, to search for secrets. */
  text(): string;
}

export function capture(): Captured {
  const lines: string[] = [];
  const retries: Captured['retries'] = [];
  const requests: Captured['requests'] = [];
  const log =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push(JSON.stringify({ level, message, extra }));
  return {
    lines,
    retries,
    requests,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn') },
    observer: { onRetry: (info) => retries.push(info), onRequest: (info) => requests.push(info) },
    text: () =>
      [...lines, ...retries.map((r) => JSON.stringify(r)), ...requests.map((r) => JSON.stringify(r))].join(
        '\n',
      ),
  };
}

export const WINDOW = { until: new Date('2026-11-23T00:00:00Z') };

export async function readAll(
  reader: StreamReader,
  stream: string,
  options: Partial<ReadOptions> = {},
): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of reader(stream, { window: WINDOW, ...options })) pages.push(page);
  return pages;
}

export const ids = (pages: Page[]) => pages.flatMap((p) => p.records.map((r) => r.id));

/** Fast retries for tests: tiny backoff, few attempts. */
export const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxTotalWaitMs: 10_000 };

/**
 * A loopback route that holds each answer `delayMs(req)` ms and keeps the most requests it had in
 * flight at once (`seen.most`): how tests see what a reader fetches concurrently.
 */
export function countingRoute(
  answer: (req: ApiRequest) => ApiReply,
  delayMs: (req: ApiRequest) => number,
): { route: ApiRoute; seen: { most: number } } {
  let inFlight = 0;
  const seen = { most: 0 };
  const route: ApiRoute = async (req) => {
    inFlight++;
    seen.most = Math.max(seen.most, inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, delayMs(req)));
      return answer(req);
    } finally {
      inFlight--;
    }
  };
  return { route, seen };
}
