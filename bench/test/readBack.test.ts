import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { countLanded } from '../ingest/readBack.ts';
import { burstFloor, judgeLanded } from '../ingest/runFloor.ts';

const lines = (ids: string[]) => Buffer.from(ids.map((id) => `${JSON.stringify({ id, x: 1 })}\n`).join(''));

describe('countLanded', () => {
  it('counts records and distinct keys over gzip and plain files', () => {
    const landed = countLanded([gzipSync(lines(['a', 'b'])), lines(['c', 'a'])]);
    expect(landed).toMatchObject({ files: 2, records: 4, distinctKeys: 3 });
  });
});

describe('judgeLanded', () => {
  const run = (records: number, distinctKeys: number) => ({
    ok: true,
    landed: { files: 1, records, distinctKeys, bytes: 0 },
  });
  it('passes exactly once', () => {
    const r = run(100, 100);
    judgeLanded(r, 100);
    expect(r.ok).toBe(true);
  });
  it('fails a run that dropped records, however it reported itself', () => {
    const r: { ok: boolean; error?: string; landed: ReturnType<typeof run>['landed'] } = run(99, 99);
    judgeLanded(r, 100);
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('dropped 1 record') });
  });
  it('fails a run that landed records twice', () => {
    const r: { ok: boolean; error?: string; landed: ReturnType<typeof run>['landed'] } = run(110, 100);
    judgeLanded(r, 100);
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('10 record(s) twice') });
  });
});

describe('burstFloor', () => {
  it('lets the first `limit` requests start at once, then one window per `limit` more', () => {
    expect(burstFloor(20, 10, 1000, 150)).toBe(1.15);
    expect(burstFloor(10, 10, 1000, 150)).toBe(0.15);
    expect(burstFloor(101, 10, 1000, 20)).toBe(10.02);
  });
});
