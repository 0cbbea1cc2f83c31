/**
 * Creates in the emulator what a deployment has: the raw and curated buckets and each source's
 * secret `api-credentials/<name>` (a JSON object of the keys its definition reads). Idempotent.
 */
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

export interface ProvisionOptions {
  buckets: string[];
  /** Secret name → its JSON object. */
  secrets: Record<string, Record<string, string>>;
  region?: string;
}

export async function provision(options: ProvisionOptions): Promise<void> {
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-west-2';
  const s3 = new S3Client({ region, forcePathStyle: true });
  const secrets = new SecretsManagerClient({ region });
  try {
    for (const bucket of options.buckets) {
      const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
        () => true,
        () => false,
      );
      if (exists) continue;
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-2' },
        }),
      );
    }
    for (const [name, values] of Object.entries(options.secrets)) {
      const SecretString = JSON.stringify(values);
      try {
        await secrets.send(new CreateSecretCommand({ Name: name, SecretString }));
      } catch (error) {
        if (!(error instanceof ResourceExistsException)) throw error;
        await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
      }
    }
  } finally {
    s3.destroy();
    secrets.destroy();
  }
}
