/**
 * Silent misconfiguration made loud: a cursor field that no record has lands `complete` with no
 * watermark; the stream's result says so in `warnings`, the log has it and a metric counts it, on
 * the scanned path (the API's bytes) and on the parsed one (a transform) alike.
 */
import { createHandler, defineSource, type SourceInput } from '@tributary/core';
import {
  type CapturedOutput,
  captureOutput,
  createBucket,
  type LoopbackApi,
  lambdaContext,
  readLanded,
  startApi,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setHandlerEnv } from './support/context.ts';

const bucket = 'landing-misconfigured-test';
const outputFolder = 'ops/misconfigured';
const rows = Array.from({ length: 12 }, (_, i) => ({
  id: i,
  updated_at: `2026-11-0${1 + (i % 5)}T00:00:00Z`,
}));
let api: LoopbackApi;
let output: CapturedOutput;

function source(stream: Partial<SourceInput['streams'][string]>) {
  return defineSource({
    name: 'misconfigured',
    baseUrl: 'https://misconfigured.example.invalid',
    streams: {
      items: {
        path: '/items',
        records: 'data',
        primaryKey: 'id',
        paginator: { type: 'page', size: 5, sizeParam: 'size' },
        incremental: { cursorField: 'updatedAt', params: { since: '{since}' } },
        ...stream,
      },
    },
  });
}

beforeAll(async () => {
  await createBucket(bucket);
  api = await startApi({
    '/items': (req) => {
      const page = Number(req.query.get('page'));
      return { body: { data: rows.slice((page - 1) * 5, page * 5) } };
    },
  });
  setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
  output = captureOutput();
});
afterAll(async () => {
  output.restore();
  await api.close();
});

describe('a cursor field found in no record', () => {
  for (const [how, extra] of [
    ['scanned', {}],
    ['parsed', { transform: (r: Record<string, unknown>) => r }],
  ] as const) {
    it(`lands the records, says so in the stream's warnings and counts it (${how} path)`, async () => {
      // Prepare
      const runId = `2026-11-23-${how}`;
      const from = output.text().length;

      // Act
      const result = await createHandler(source(extra))({ runId }, lambdaContext());

      // Assess: complete, every record landed, no watermark — and a warning naming the field
      expect(result.status).toBe('complete');
      const landed = await readLanded(bucket, outputFolder, 'items', runId);
      expect(landed.records).toHaveLength(rows.length);
      expect(landed.state).toBeUndefined();
      const [stream] = result.streams;
      expect(stream!.watermark).toBeNull();
      expect(stream!.warnings).toEqual([
        'cursor field "updatedAt" has no readable value in any of the 12 records landed: the watermark cannot move (check incremental.cursorField)',
      ]);
      const lines = output
        .text()
        .slice(from)
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      expect(lines.find((l) => l.warning === 'cursorFieldMissing')).toMatchObject({
        level: 'WARN',
        cursorField: 'updatedAt',
      });
      const emf = lines.find((l) => l._aws?.CloudWatchMetrics);
      expect(emf._aws.CloudWatchMetrics[0].Metrics).toContainEqual({
        Name: 'cursorFieldMissing',
        Unit: 'Count',
      });
      expect(emf.cursorFieldMissing).toBe(1);
    });
  }

  it('says nothing when the field is there', async () => {
    const result = await createHandler(source({ incremental: { cursorField: 'updated_at' } }))(
      { runId: '2026-11-24-right' },
      lambdaContext(),
    );
    expect(result.streams[0]!.warnings).toEqual([]);
    expect(result.streams[0]!.watermark).toBe('2026-11-05T00:00:00.000Z');
  });
});
