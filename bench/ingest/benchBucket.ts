/** The S3 target on the local moto server: one bucket per bench run, emptied after each contender. */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';

export interface BenchBucket {
  name: string;
  /** Deletes every object (moto keeps them in memory; 1M records landed is ~1 GB). */
  empty(): Promise<number>;
  remove(): Promise<void>;
}

export async function createBenchBucket(endpoint: string, name: string): Promise<BenchBucket> {
  const s3 = new S3Client({
    endpoint,
    region: 'eu-west-2',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(
    new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }),
  );
  const empty = async () => {
    let deleted = 0;
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: name }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) return deleted;
      await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys, Quiet: true } }));
      deleted += keys.length;
    }
  };
  return {
    name,
    empty,
    remove: async () => {
      await empty();
      await s3.send(new DeleteBucketCommand({ Bucket: name }));
      s3.destroy();
    },
  };
}
