/**
 * Landing storage in one S3 bucket (the stack's raw bucket, `TARGET_S3_BUCKET_NAME`): parts as
 * `@aws-sdk/lib-storage` multipart uploads, manifests and watermark state as small JSON objects,
 * orphans listed with ListObjectsV2 and removed with DeleteObjects. The only place in core that
 * speaks S3 (a test greps for it).
 */
import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ErrorWhere } from '../../errors.ts';
import { s3Uri } from '../keys.ts';
import type { LandingStorage, PartUpload } from '../LandingStorage.ts';
import type { Manifest } from '../Manifest.ts';
import type { WatermarkState } from '../Watermark.ts';
import { storageError } from './storageError.ts';

export interface S3LandingStorageOptions {
  client: S3Client;
  bucket: string;
}

export class S3LandingStorage implements LandingStorage {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3LandingStorageOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
  }

  uri(key: string): string {
    return s3Uri(this.bucket, key);
  }

  openPart(key: string, body: Readable): PartUpload {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/gzip' },
    });
    // done() starts the upload; it consumes the body while pages are being written.
    return { done: upload.done(), abort: () => upload.abort() };
  }

  async readPart(key: string): Promise<Readable> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return res.Body as Readable;
  }

  readManifest(key: string): Promise<Manifest | undefined> {
    return this.getJson<Manifest>(key);
  }

  writeManifest(key: string, manifest: Manifest): Promise<void> {
    return this.putJson(key, manifest);
  }

  readWatermark(key: string): Promise<WatermarkState | undefined> {
    return this.getJson<WatermarkState>(key);
  }

  writeWatermark(key: string, state: WatermarkState): Promise<void> {
    return this.putJson(key, state);
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** 1000 keys per DeleteObjects request. */
  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  failure(what: string, key: string, cause: unknown, where?: ErrorWhere) {
    return storageError(what, { bucket: this.bucket, key }, cause, where);
  }

  /** A small JSON document, or `undefined` when the key is absent. */
  private async getJson<T>(key: string): Promise<T | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse(await res.Body!.transformToString('utf8')) as T;
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw e;
    }
  }

  private async putJson(key: string, value: unknown): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${JSON.stringify(value, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  }
}

/**
 * `createHandler`'s default: for each invocation, S3 storage over the environment's bucket, with one
 * client per `AWS_ENDPOINT_URL` (path-style when it is set, as moto and other local endpoints need).
 */
export function s3StorageFromEnvironment(): (env: { bucket: string }) => LandingStorage {
  const clients = new Map<string, S3Client>();
  return ({ bucket }) => {
    const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
    let client = clients.get(endpoint);
    if (!client) {
      client = new S3Client({ forcePathStyle: endpoint !== '' });
      clients.set(endpoint, client);
    }
    return new S3LandingStorage({ client, bucket });
  };
}
