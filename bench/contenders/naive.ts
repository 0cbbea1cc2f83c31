/**
 * The naive approach most tutorials take: an axios loop that collects every record in one array,
 * then a single PutObject of `JSON.stringify(all)`. Memory grows with the data, and past ~500 MB of
 * JSON the string cannot even be built (V8's maximum string length): that failure is a result too.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import axios from 'axios';
import { measure } from './measure.ts';

await measure(async ({ apiUrl, bucket, prefix }) => {
  const all: unknown[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await axios.get<{ data: unknown[]; has_more: boolean; next_cursor: string | null }>(apiUrl, {
      params: cursor ? { cursor } : {},
    });
    all.push(...res.data.data);
    pages++;
    if (!res.data.has_more || !res.data.next_cursor) break;
    cursor = res.data.next_cursor;
  }
  const s3 = new S3Client({});
  const body = JSON.stringify(all);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/orders.json`, Body: body }));
  return { records: all.length, detail: { pages, objectBytes: Buffer.byteLength(body) } };
});
