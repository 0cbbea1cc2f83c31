/**
 * Reads landed part files back, streaming: GetObject → gunzip → lines → records, in landing order.
 * Used to feed a child stream the parent's records of the run (across invocations) without holding
 * them in memory.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ErrorWhere } from '../errors.ts';
import type { ApiRecord } from '../stream/types.ts';
import { SinkError } from './SinkError.ts';

export async function* readLandedRecords(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  where?: ErrorWhere,
): AsyncGenerator<ApiRecord> {
  for (const key of keys) {
    let body: Readable;
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = res.Body as Readable;
    } catch (e) {
      throw new SinkError(`cannot read back s3://${bucket}/${key}`, { cause: e, where });
    }
    const gunzip = createGunzip();
    body.on('error', (e) => gunzip.destroy(e));
    const lines = createInterface({ input: body.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        if (line.length > 0) yield JSON.parse(line) as ApiRecord;
      }
    } finally {
      lines.close();
      body.destroy();
    }
  }
}
