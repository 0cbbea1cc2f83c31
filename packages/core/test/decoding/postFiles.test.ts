/**
 * A streamed file fetched with a request body: a reporting API that answers CSV to a POST (its
 * window and paging in the JSON body). Every file is asked for with the stream's method and body,
 * as a JSON page is; a continuation inside a file sends the same POST again; a body that breaks off
 * is asked for again only when the request is `retrySafe` (request/retrySafety.ts).
 */
import { createHandler, defineSource, type HandlerResult } from '@tributary/core';
import {
  createBucket,
  type LoopbackServer,
  readBody,
  readLanded,
  rejectionOf,
  serveLoopback,
} from '@tributary/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { HttpError } from '../../src/errors.ts';
import { budgetContext, setHandlerEnv } from '../landing/support/context.ts';
import { type FileApi, type FileRoute, rowsOf, serveFiles } from './support.ts';

interface Sent {
  method: string;
  contentType: string | undefined;
  body: { window: { from?: string; to: string }; paging: { offset: number; limit: number } };
}

const TOTAL = 60_000;

function csvOf(from: number, to: number): string {
  let text = 'id,day\n';
  for (let i = from; i < to; i++) text += `${i},"d, ${i % 31}"\n`;
  return text;
}

/** The report: rows [offset, offset + limit) of TOTAL, as CSV, to a POST with the paging in its body. */
function report(sent: Sent[]): FileRoute {
  return async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString()) as Sent['body'];
    sent.push({ method: req.method ?? '', contentType: req.headers['content-type'], body });
    const { offset, limit } = body.paging;
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.end(csvOf(offset, Math.min(offset + limit, TOTAL)));
  };
}

const REPORT = {
  path: '/reports/run',
  request: {
    type: 'json',
    method: 'POST',
    retrySafe: true,
    body: { window: { from: '{since}', to: '{until}' }, paging: {} },
  },
  decoder: { type: 'csv' },
  paginator: {
    type: 'offset',
    in: 'body',
    offsetParam: 'paging.offset',
    limitParam: 'paging.limit',
    limit: 25_000,
  },
  primaryKey: 'id',
} as const;

const apis: FileApi[] = [];
afterEach(async () => {
  while (apis.length) await apis.pop()!.close();
});

describe('a file stream with a json request', () => {
  test('each file is a POST with the rendered body and the paginator values in it; paged to a short file', async () => {
    const sent: Sent[] = [];
    const api = await serveFiles(report(sent), { report: REPORT });
    apis.push(api);

    const pages = await api.read('report');

    expect(rowsOf(pages).map((r) => Number(r.id))).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    expect(sent.map((s) => s.method)).toEqual(['POST', 'POST', 'POST']);
    expect(sent.every((s) => s.contentType === 'application/json')).toBe(true);
    expect(sent.map((s) => s.body.paging)).toEqual([
      { offset: 0, limit: 25_000 },
      { offset: 25_000, limit: 25_000 },
      { offset: 50_000, limit: 25_000 },
    ]);
    // A full read has no since: its field is dropped; until is the run's.
    expect(sent[0]!.body.window).toEqual({ to: '2026-11-23T00:00:00Z' });
  });

  test('a body that breaks off is not asked for again on a POST without retrySafe: an HttpError that says so', async () => {
    const sent: Sent[] = [];
    const body = Buffer.from(csvOf(0, 25_000));
    const route: FileRoute = async (req, res) => {
      const parsed = JSON.parse((await readBody(req)).toString()) as Sent['body'];
      sent.push({ method: req.method ?? '', contentType: req.headers['content-type'], body: parsed });
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.subarray(0, 200_000), () => setTimeout(() => res.destroy(), 20));
    };
    const api = await serveFiles(route, {
      report: { ...REPORT, request: { ...REPORT.request, retrySafe: false } },
    });
    apis.push(api);

    const error = await rejectionOf(api.read('report'));

    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).message).toMatch(/broke off .* on a POST \(not retried: .*set retrySafe: true/);
    expect(sent).toHaveLength(1);
  });

  test('with retrySafe, a body that broke off is asked for again with the same POST and read on', async () => {
    const sent: Sent[] = [];
    const body = Buffer.from(csvOf(0, 20_000));
    const route: FileRoute = async (req, res) => {
      const parsed = JSON.parse((await readBody(req)).toString()) as Sent['body'];
      sent.push({ method: req.method ?? '', contentType: req.headers['content-type'], body: parsed });
      res.writeHead(200, { 'content-length': String(body.length) });
      if (sent.length === 1) res.write(body.subarray(0, 200_000), () => setTimeout(() => res.destroy(), 20));
      else res.end(body);
    };
    const api = await serveFiles(route, { report: REPORT });
    apis.push(api);

    const rows = rowsOf(await api.read('report'));

    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
  });
});

describe('a POST file stream stopped by its deadline inside a file', () => {
  const bucket = 'decoding-post-files-test';
  const outputFolder = 'exports/report-api';
  const sent: Sent[] = [];
  let server: LoopbackServer;
  const handler = createHandler(
    defineSource({
      name: 'report-api',
      baseUrl: 'https://report.example.invalid',
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, maxTotalWaitMs: 1_000 },
      streams: { report: REPORT },
      runtime: { safetyMarginMs: 60_000, partSizeBytes: 64 * 1024, streamConcurrency: 1 },
    }),
  );

  beforeAll(async () => {
    await createBucket(bucket);
    const route = report(sent);
    server = await serveLoopback((req, res) => route(req, res, new URL(req.url ?? '/', 'http://x')));
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: server.url });
  });
  afterAll(() => server.close());

  test('each resume sends the same POST (body and paging) for the file it stopped in; every row lands once', async () => {
    const runId = '2026-12-01T06-00-00Z-post-files';
    const event = {
      runId,
      streams: ['report'],
      window: { since: '2026-11-01T00:00:00Z', until: '2026-11-20T00:00:00Z' },
    };
    const results: HandlerResult[] = [];
    let continuation: unknown = null;
    for (let i = 0; i < 20 && results.at(-1)?.status !== 'complete'; i++) {
      const result = await handler({ ...event, continuation }, budgetContext(2));
      results.push(result);
      continuation = JSON.parse(JSON.stringify(result.continuation ?? null));
    }

    expect(results.map((r) => r.status)).toEqual(['partial', 'partial', 'partial', 'complete']);
    expect(JSON.stringify(results[0]!.continuation)).toContain('"r":20000');
    const landed = await readLanded(bucket, outputFolder, 'report', runId);
    expect(landed.records.map((r) => Number(r.id))).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    // File 1 (offset 0) was asked for by the first invocation and again by the second, the same POST.
    const first = sent.filter((s) => s.body.paging.offset === 0);
    expect(first).toHaveLength(2);
    expect(first[1]).toEqual(first[0]);
    expect(first[0]).toEqual({
      method: 'POST',
      contentType: 'application/json',
      body: {
        window: { from: '2026-11-01T00:00:00Z', to: '2026-11-20T00:00:00Z' },
        paging: { offset: 0, limit: 25_000 },
      },
    });
  });
});
