/**
 * Tributary's real path: the bench source run through the core's `createHandler`, as Lambda runs
 * it — fetch, select, NDJSON, gzip, multipart upload, manifest, watermark. The environment
 * (TARGET_S3_BUCKET_NAME, OUTPUT_FOLDER, API_BASE_URL, AWS_ENDPOINT_URL) comes from the bench.
 */
import { createHandler } from '@tributary/core';
import { fakeContext } from './lambdaContext.ts';
import { measure } from './measure.ts';
import source from './source.ts';

const handler = createHandler(source);

interface StreamResult {
  stream: string;
  records: number;
  pages: number;
  bytes: number;
}

await measure(async ({ runId }) => {
  const result = (await handler({ runId, source: source.name }, fakeContext())) as {
    status: string;
    streams: StreamResult[];
  };
  if (result.status !== 'complete') throw new Error(`handler returned status ${result.status}`);
  const records = result.streams.reduce((sum, s) => sum + s.records, 0);
  return { records, detail: { status: result.status, streams: result.streams } };
});
