/**
 * Baseline for cold init: a bundle that only imports the AWS SDK's S3 client and constructs one, as
 * any Lambda that writes to S3 must: what Tributary's init costs beyond it is Tributary's own.
 */
import { S3Client } from '@aws-sdk/client-s3';

const s3 = new S3Client({});
export const handler = async () => ({ ok: typeof s3.send === 'function' });
