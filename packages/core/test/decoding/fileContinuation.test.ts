/**
 * Continuation inside a file: with the deadline forced small, the handler stops between pages of
 * one CSV file and again between files; chaining the continuations lands every row of both files
 * exactly once, in order, each resume asking for the file it stopped in again and dropping the rows
 * its position says were landed.
 */
import { gzipSync } from 'node:zlib';
import { createHandler, defineSource, type HandlerResult } from '@tributary/core';
import { createBucket, type LoopbackServer, readLanded, serveLoopback } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from '../landing/support/context.ts';

const bucket = 'decoding-file-continuation-test';
const outputFolder = 'exports/files-api';
/** Two files: 35,000 rows (four pages) and 12,000 (two), the first linking to the second. */
const FILES = { '/export/1.csv': [0, 35_000], '/export/2.csv': [35_000, 47_000] } as const;
const requests: string[] = [];
let server: LoopbackServer;

function csvOf([from, to]: readonly [number, number]): string {
  let text = 'id,name,note\n';
  for (let i = from; i < to; i++) text += `${i},"row, ${i}",${i % 7 === 0 ? '"two\nlines"' : ''}\n`;
  return text;
}

const handler = createHandler(
  defineSource({
    name: 'files-api',
    baseUrl: 'https://files.example.invalid',
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
    streams: {
      rows: {
        path: '/export/1.csv',
        decoder: { type: 'csv' },
        paginator: { type: 'link' },
        primaryKey: 'id',
      },
    },
    runtime: { safetyMarginMs: 60_000, partSizeBytes: 64 * 1024, streamConcurrency: 1 },
  }),
);

beforeAll(async () => {
  await createBucket(bucket);
  server = await serveLoopback((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname as keyof typeof FILES;
    requests.push(path);
    const headers: Record<string, string> = { 'content-type': 'application/gzip' };
    if (path === '/export/1.csv') headers.link = '</export/2.csv>; rel="next"';
    res.writeHead(200, headers);
    res.end(gzipSync(csvOf(FILES[path])));
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: server.url });
});
afterAll(() => server.close());

async function chain(event: Record<string, unknown>, checks: number): Promise<HandlerResult[]> {
  const results: HandlerResult[] = [];
  let continuation: unknown = null;
  for (let i = 0; i < 50; i++) {
    const result = await handler({ ...event, continuation }, budgetContext(checks));
    results.push(result);
    if (result.status === 'complete') return results;
    continuation = JSON.parse(JSON.stringify(result.continuation));
  }
  throw new Error('the run never completed');
}

describe('a file stream stopped by its deadline', () => {
  it('resumes inside the file: every row lands exactly once, in order', async () => {
    // Act: two pages per invocation
    const runId = '2026-12-01T06-00-00Z-files';
    const results = await chain({ runId, streams: ['rows'] }, 2);

    // Assess
    expect(results.map((r) => r.status)).toEqual(['partial', 'partial', 'complete']);
    // The first stop is inside file 1 (20,000 of its rows landed); the second, at file 2's start.
    expect(JSON.stringify(results[0]!.continuation)).toContain('"r":20000');
    expect(JSON.stringify(results[1]!.continuation)).toContain('2.csv');
    const landed = await readLanded(bucket, outputFolder, 'rows', runId);
    expect(landed.records.map((r) => Number(r.id))).toEqual(Array.from({ length: 47_000 }, (_, i) => i));
    expect(landed.records[7]).toEqual({ id: '7', name: 'row, 7', note: 'two\nlines' });
    expect(landed.manifest).toMatchObject({ records: 47_000, primaryKey: ['id'] });
    expect(results.at(-1)!.streams[0]).toMatchObject({ status: 'complete', pages: 6 });
    // File 1 was asked for by the first invocation and again by the second (to land its last 15,000 rows).
    expect(requests.filter((p) => p === '/export/1.csv')).toHaveLength(2);
  });
});
