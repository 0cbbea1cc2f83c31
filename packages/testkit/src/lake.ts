/**
 * The raw zone as a source's tests see it, on the moto server (`AWS_ENDPOINT_URL`): create the
 * bucket and the source's secret a run needs, then read back what the run landed — every part
 * decompressed into its records, the manifests and the watermarks.
 */
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const s3 = () => new S3Client({ forcePathStyle: true });

/** Creates a bucket (name unique per test file) in the emulator. */
export async function createBucket(bucket: string): Promise<void> {
  await s3().send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: process.env.AWS_REGION as 'eu-west-2' },
    }),
  );
}

/** Creates a secret holding `values` as JSON (the `api-credentials/<name>` shape). */
export async function createSecret(name: string, values: Record<string, string>): Promise<void> {
  await new SecretsManagerClient({}).send(
    new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(values) }),
  );
}

/** Every key under `prefix`, in key order. */
export async function listKeys(bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3().send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function getObject(bucket: string, key: string): Promise<Buffer> {
  const res = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

export async function getJson<T = Record<string, unknown>>(bucket: string, key: string): Promise<T> {
  return JSON.parse((await getObject(bucket, key)).toString('utf8')) as T;
}

/** The records of the gzip NDJSON parts under `prefix`, in key order then line order. */
export async function readRecords(bucket: string, prefix: string): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  for (const key of await listKeys(bucket, prefix)) {
    if (!key.endsWith('.ndjson.gz')) continue;
    const text = gunzipSync(await getObject(bucket, key)).toString('utf8');
    for (const line of text.split('\n')) if (line.trim()) records.push(JSON.parse(line));
  }
  return records;
}

/** The keys under `prefix` whose content (gunzipped for `.gz`) contains `needle`: for "no secret in S3" checks. */
export async function keysContaining(bucket: string, needle: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const key of await listKeys(bucket, prefix)) {
    let body = await getObject(bucket, key);
    if (key.endsWith('.gz')) body = gunzipSync(body);
    if (key.includes(needle) || body.includes(needle)) found.push(key);
  }
  return found;
}

/** What one stream of one run landed: its records, its manifest, and the stream's watermark state. */
export interface LandedStream {
  records: Record<string, unknown>[];
  manifest: Record<string, unknown> | undefined;
  manifestKey: string | undefined;
  state: Record<string, unknown> | undefined;
}

/** Reads `<outputFolder>/<stream>/…/run_id=<runId>/` and `_state/<outputFolder>/<stream>.json`. */
export async function readLanded(
  bucket: string,
  outputFolder: string,
  stream: string,
  runId: string,
): Promise<LandedStream> {
  const keys = (await listKeys(bucket, `${outputFolder}/${stream}/`)).filter((k) =>
    k.includes(`/run_id=${runId}/`),
  );
  const records: Record<string, unknown>[] = [];
  for (const key of keys.filter((k) => k.endsWith('.ndjson.gz'))) {
    const text = gunzipSync(await getObject(bucket, key)).toString('utf8');
    for (const line of text.split('\n')) if (line.trim()) records.push(JSON.parse(line));
  }
  const manifestKey = keys.find((k) => k.endsWith('/_manifest.json'));
  const stateKey = `_state/${outputFolder}/${stream}.json`;
  const state = (await listKeys(bucket, stateKey)).includes(stateKey)
    ? await getJson(bucket, stateKey)
    : undefined;
  return {
    records,
    manifest: manifestKey ? await getJson(bucket, manifestKey) : undefined,
    manifestKey,
    state,
  };
}

/** A Lambda context good enough for a handler under test: a deadline far away unless told. */
export function lambdaContext(remainingMs = 15 * 60 * 1000) {
  const deadline = Date.now() + remainingMs;
  return {
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:test',
    memoryLimitInMB: '256',
    awsRequestId: 'test-request',
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
