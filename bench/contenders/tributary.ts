/**
 * Tributary's real path: the bench source run through the core's `createHandler`, as Lambda runs
 * it — fetch, select, NDJSON, gzip, multipart upload, manifest, watermark. The environment
 * (TARGET_S3_BUCKET_NAME, OUTPUT_FOLDER, API_BASE_URL, AWS_ENDPOINT_URL) comes from the bench.
 */
import { createHandler } from '@tributary/core';
import type { Context } from 'aws-lambda';
import { measure } from './measure.ts';
import source from './source.ts';

const handler = createHandler(source);

/** A Lambda context with all the time in the world: the bench measures one uninterrupted run. */
function fakeContext(): Context {
  const deadline = Date.now() + 6 * 3600_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'tributary-bench-benchApi',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:tributary-bench-benchApi',
    memoryLimitInMB: '256',
    awsRequestId: 'bench',
    logGroupName: '/aws/lambda/tributary-bench-benchApi',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

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
