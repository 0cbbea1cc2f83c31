/**
 * Reads a contender's landed output back and counts it: records, and distinct primary keys. A
 * contender that drops or doubles records is failed on these counts, not on what it says of itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export interface Landed {
  files: number;
  records: number;
  distinctKeys: number;
  bytes: number;
}

/** Counts NDJSON lines and distinct `key` values over files' contents (gzip or plain). */
export function countLanded(files: Iterable<Buffer>, key = 'id'): Landed {
  const keys = new Set<unknown>();
  let records = 0;
  let bytes = 0;
  let count = 0;
  for (const file of files) {
    count++;
    bytes += file.length;
    const text = (file[0] === 0x1f && file[1] === 0x8b ? gunzipSync(file) : file).toString('utf8');
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      records++;
      keys.add((JSON.parse(line) as Record<string, unknown>)[key]);
    }
  }
  return { files: count, records, distinctKeys: keys.size, bytes };
}

/** Every `*.ndjson.gz` under `prefix` in the bucket (Tributary's parts). */
export async function readBackS3(s3: S3Client, bucket: string, prefix: string): Promise<Landed> {
  const bodies: Buffer[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key?.endsWith('.ndjson.gz')) continue;
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      bodies.push(Buffer.from(await res.Body!.transformToByteArray()));
    }
    token = page.NextContinuationToken;
  } while (token);
  return countLanded(bodies);
}

/** Every `*.jsonl.gz` (or `*.jsonl`, gzipped or not) under a local folder (dlt's filesystem destination). */
export function readBackFiles(dir: string, match = /\.jsonl(\.gz)?$/): Landed {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => match.test(f)).sort();
  return countLanded(files.map((f) => readFileSync(join(dir, f))));
}
