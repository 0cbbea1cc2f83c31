/**
 * Creates in the emulator what a deployment has: the raw and curated buckets, each source's
 * secret `api-credentials/<name>` (a JSON object of the keys its definition reads) and the Glue
 * database the handlers register their raw tables in (`GLUE_DATABASE`). Idempotent.
 */
import { AlreadyExistsException, CreateDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
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
  /** The Glue database (serverless.yml's `custom.glueDatabase`, e.g. `tributary_dev`); absent = none. */
  glueDatabase?: string;
  region?: string;
}

export async function provision(options: ProvisionOptions): Promise<void> {
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-west-2';
  const s3 = new S3Client({ region, forcePathStyle: true });
  const secrets = new SecretsManagerClient({ region });
  const glue = new GlueClient({ region });
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
    if (options.glueDatabase) {
      await glue
        .send(new CreateDatabaseCommand({ DatabaseInput: { Name: options.glueDatabase } }))
        .catch((error: unknown) => {
          if (!(error instanceof AlreadyExistsException)) throw error;
        });
    }
  } finally {
    s3.destroy();
    secrets.destroy();
    glue.destroy();
  }
}
