/**
 * A counting proxy in front of moto: every AWS request a contender makes passes through it and is
 * counted by kind (S3 PutObject, multipart create/part/complete, GetObject, List…, Secrets Manager),
 * so the cost table prices requests that were made, not requests guessed. Runs in the bench's own
 * process: its CPU counts against no contender.
 */
import { createServer, request } from 'node:http';

export type AwsCall =
  | 's3.PutObject'
  | 's3.CreateMultipartUpload'
  | 's3.UploadPart'
  | 's3.CompleteMultipartUpload'
  | 's3.AbortMultipartUpload'
  | 's3.GetObject'
  | 's3.HeadObject'
  | 's3.ListObjects'
  | 's3.DeleteObjects'
  | 's3.other'
  | 'secretsmanager'
  | 'dynamodb.read'
  | 'dynamodb.write'
  | 'other';

/** The kind of an AWS request from its method, URL and headers (S3 path-style, JSON-protocol targets). */
export function classify(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
): AwsCall {
  const target = String(headers['x-amz-target'] ?? '');
  if (target.startsWith('secretsmanager.')) return 'secretsmanager';
  if (target.startsWith('DynamoDB_'))
    return /\.(GetItem|BatchGetItem|Query|Scan|TransactGetItems|DescribeTable)$/.test(target)
      ? 'dynamodb.read'
      : 'dynamodb.write';
  if (target) return 'other';
  const q = new URL(url, 'http://s3').searchParams;
  if (method === 'PUT') return q.has('partNumber') && q.has('uploadId') ? 's3.UploadPart' : 's3.PutObject';
  if (method === 'POST') {
    if (q.has('uploads')) return 's3.CreateMultipartUpload';
    if (q.has('uploadId')) return 's3.CompleteMultipartUpload';
    if (q.has('delete')) return 's3.DeleteObjects';
    return 's3.other';
  }
  if (method === 'DELETE') return q.has('uploadId') ? 's3.AbortMultipartUpload' : 's3.other';
  if (method === 'HEAD') return 's3.HeadObject';
  if (method === 'GET') {
    const path = new URL(url, 'http://s3').pathname.split('/').filter(Boolean);
    return path.length <= 1 ? 's3.ListObjects' : 's3.GetObject';
  }
  return 's3.other';
}

export interface CountingProxy {
  endpoint: string;
  /** Counts since the last take(), then zeroed. */
  take(): Partial<Record<AwsCall, number>>;
  /** DynamoDB round trips through the proxy (request in → response sent), ms, since the last call. */
  takeDynamoMs(): number[];
  stop(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  let counts: Partial<Record<AwsCall, number>> = {};
  let dynamoMs: number[] = [];
  const server = createServer((req, res) => {
    const kind = classify(req.method ?? 'GET', req.url ?? '/', req.headers);
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (kind.startsWith('dynamodb')) {
      const t0 = performance.now();
      res.once('finish', () => dynamoMs.push(performance.now() - t0));
    }
    const up = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', (e) => res.destroy(e));
    req.pipe(up);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take: () => {
      const out = counts;
      counts = {};
      return out;
    },
    takeDynamoMs: () => {
      const out = dynamoMs;
      dynamoMs = [];
      return out;
    },
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
