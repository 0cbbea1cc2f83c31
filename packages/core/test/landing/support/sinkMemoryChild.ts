/**
 * Run in a child process with a small heap (see sinkMemory.test.ts): streams `PAGES` pages of 1,000
 * records (about 1 KB each) through a StreamSink into S3, generating each page on the fly, and
 * prints what landed as JSON. If the sink held on to records, the heap limit would kill it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { StreamSink } from '../../../src/landing/StreamSink.ts';
import { S3LandingStorage } from '../../../src/landing/s3/S3LandingStorage.ts';

const [bucket, pagesArg] = process.argv.slice(2) as [string, string];
const pages = Number(pagesArg);
const sink = new StreamSink({
  storage: new S3LandingStorage({ client: new S3Client({ forcePathStyle: true }), bucket }),
  location: { outputFolder: 'mem', stream: 'big', importDate: '20261123', runId: 'r' },
  attempt: 'mem',
  partSizeBytes: 64 * 1024 * 1024,
});
let peakHeap = 0;
for (let p = 0; p < pages; p++) {
  const records = Array.from({ length: 1_000 }, (_, i) => ({
    id: p * 1_000 + i,
    text: `record ${p * 1_000 + i} `.padEnd(1_000, 'abcdefghij'),
  }));
  const wait = sink.writePage(records);
  if (wait) await wait;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}
await sink.flush();
process.stdout.write(
  `${JSON.stringify({
    parts: sink.landed.map((p) => ({ key: p.key, records: p.records, ndjsonBytes: p.ndjsonBytes })),
    peakHeapMb: Math.round(peakHeap / 1e6),
  })}\n`,
);
