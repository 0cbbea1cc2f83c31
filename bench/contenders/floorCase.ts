/**
 * The floor scenario's cases (bench/README.md, "The real-API floor") and the Tributary source for
 * one: the same bench API read the way a source file would read it.
 */
import { defineSource, type SourceDefinition } from '@tributary/core';

export const FLOOR_CASES = ['one-stream', 'partitions', 'offset-total', 'page-total', 'fast-api'] as const;
/**
 * `fast-api`: the cursor stream against the same limit but a fast server (FAST_LATENCY): the limit,
 * not the latency, binds, so this case shows how exactly the client keeps to it (429s, wall / floor).
 */
export const FAST_LATENCY = { latencyMs: 20, jitterMs: 10 } as const;
export type FloorCaseName = (typeof FLOOR_CASES)[number];

export interface FloorCase {
  name: FloorCaseName;
  records: number;
  pageSize: number;
  /** Partitions of one stream (`?shard=k`); 1 = no partitions. */
  shards: number;
  /** The server's limit, given to Tributary as `rateLimit.requestsPerSecond`. */
  requestsPerSecond: number;
  /** Tributary's `rateLimit.concurrency` (its default, 4). */
  concurrency: number;
}

export const floorPaginator = (c: FloorCase) =>
  c.name === 'offset-total' ? 'offset' : c.name === 'page-total' ? 'page' : 'cursor';

/** Requests a complete read makes: one per page of each shard (no extra empty page: totals, has_more). */
export function floorRequests(c: FloorCase): number {
  let pages = 0;
  for (let k = 0; k < c.shards; k++) {
    const n = Math.floor(((k + 1) * c.records) / c.shards) - Math.floor((k * c.records) / c.shards);
    pages += Math.max(1, Math.ceil(n / c.pageSize));
  }
  return pages;
}

export function floorSource(c: FloorCase): SourceDefinition {
  const shardParams: Record<string, string> = c.shards > 1 ? { shard: '{shard}' } : {};
  const partitions =
    c.shards > 1 ? { partitions: Array.from({ length: c.shards }, (_, shard) => ({ shard })) } : {};
  const paginator =
    c.name === 'offset-total'
      ? {
          type: 'offset' as const,
          offsetParam: 'offset',
          limitParam: 'limit',
          limit: c.pageSize,
          totalPath: 'total',
        }
      : c.name === 'page-total'
        ? {
            type: 'page' as const,
            pageParam: 'page',
            sizeParam: 'per_page',
            size: c.pageSize,
            startPage: 1,
            totalPagesPath: 'total_pages',
          }
        : { type: 'cursor' as const, param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' };
  const path =
    c.name === 'offset-total'
      ? '/v1/orders/by-offset'
      : c.name === 'page-total'
        ? '/v1/orders/by-page'
        : '/v1/orders';
  return defineSource({
    name: 'bench-floor',
    baseUrl: 'https://api.example.invalid',
    rateLimit: { requestsPerSecond: c.requestsPerSecond, concurrency: c.concurrency },
    streams: {
      orders: {
        path,
        params: shardParams,
        records: 'data',
        primaryKey: 'id',
        paginator,
        ...partitions,
        maxPages: 1_000_000,
      },
    },
  });
}

/**
 * The fan-out case (bench/README.md, "The backfill fan-out"): a backfill's slices, each run by its
 * own process as the state machine's slice Map runs them, all of one credential, sharing its rate
 * budget through the coordination store (`rateLimit.scope: 'credential'`).
 */
export interface FanOutSource {
  /** The server's limit, given as `rateLimit.requestsPerSecond`: one budget for every process. */
  requestsPerSecond: number;
  /** Each process's `rateLimit.concurrency` (the default, 4; a cursor walk uses one). */
  concurrency: number;
}

/** One backfill slice: the handler event's `window` (with `slice: true`). */
export interface SliceWindow {
  since: string;
  until: string;
}

/** The source a slice's process runs: the cursor stream, incremental on `created_at`, both bounds sent. */
export function fanOutSource(c: FanOutSource): SourceDefinition {
  return defineSource({
    name: 'bench-fanout',
    baseUrl: 'https://api.example.invalid',
    rateLimit: { requestsPerSecond: c.requestsPerSecond, concurrency: c.concurrency, scope: 'credential' },
    streams: {
      orders: {
        path: '/v1/orders',
        records: 'data',
        primaryKey: 'id',
        paginator: { type: 'cursor', param: 'cursor', cursorPath: 'next_cursor', hasMorePath: 'has_more' },
        incremental: {
          cursorField: 'created_at',
          params: { since: '{since}', until: '{until}' },
        },
        maxPages: 1_000_000,
      },
    },
  });
}

/**
 * `slices` consecutive windows over the records' creation times (record i at `baseTime + i` s),
 * holding ⌊(k+1)·R/S⌋ − ⌊k·R/S⌋ records each: the whole set, each record in exactly one slice
 * (the server filters `since ≤ created_at < until`, as the state machine's slices are half-open).
 */
export function fanOutSlices(records: number, slices: number, baseTime: number): SliceWindow[] {
  const at = (k: number) => new Date(baseTime + Math.floor((k * records) / slices) * 1000).toISOString();
  return Array.from({ length: slices }, (_, k) => ({ since: at(k), until: at(k + 1) }));
}
