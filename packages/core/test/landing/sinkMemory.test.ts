/**
 * The sink's memory does not grow with the stream: 150 MB of NDJSON go through it in a process
 * whose V8 heap is capped at 64 MB (a 256 MB Lambda has more), landing as 64 MiB parts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createBucket } from '@tributary/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const bucket = 'landing-sink-memory-test';
const run = promisify(execFile);

beforeAll(() => createBucket(bucket));

describe('the sink under a small heap', () => {
  it('streams 150 MB of records into 64 MiB parts without holding them', async () => {
    // Act
    const child = join(import.meta.dirname, 'support/sinkMemoryChild.ts');
    const repoRoot = join(import.meta.dirname, '../../../..');
    const { stdout } = await run(
      process.execPath,
      ['--max-old-space-size=64', '--import', 'tsx', child, bucket, '150'],
      { cwd: repoRoot, maxBuffer: 1024 * 1024 },
    );

    // Assess
    const landed = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      parts: Array<{ records: number; ndjsonBytes: number }>;
      peakHeapMb: number;
    };
    expect(landed.parts.reduce((n, p) => n + p.records, 0)).toBe(150_000);
    const total = landed.parts.reduce((n, p) => n + p.ndjsonBytes, 0);
    expect(total).toBeGreaterThan(150_000_000);
    expect(landed.parts).toHaveLength(Math.ceil(total / (64 * 1024 * 1024)));
    // The proof is that the child finished at all: V8 aborts a process past its old-space cap.
    expect(landed.peakHeapMb).toBeGreaterThan(0);
  });
});
