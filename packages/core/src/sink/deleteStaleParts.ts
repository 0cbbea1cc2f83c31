/**
 * After a manifest lands: removes part files under the run's prefix that the manifest does not list
 * (left by an earlier attempt of the same run that produced more parts). The manifest stays the
 * truth either way; this keeps a plain listing of the prefix honest too.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { PART_FILE } from './keys.ts';

/** Returns the keys deleted. */
export async function deleteStaleParts(
  s3: S3Client,
  bucket: string,
  prefix: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const stale: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key && PART_FILE.test(o.Key) && !keep.has(o.Key)) stale.push(o.Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await deleteKeys(s3, bucket, stale);
  return stale;
}

/** Deletes keys, 1000 per request. */
export async function deleteKeys(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
}
