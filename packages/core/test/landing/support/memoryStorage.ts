/**
 * Landing storage in a Map, for the test that proves the seam: landing run against it must leave the
 * same keys, manifests and watermarks as against S3. Objects are stored as the bytes S3 would hold
 * (JSON written as S3LandingStorage writes it), so the two can be compared byte for byte.
 */
import { Readable } from 'node:stream';
import type { ErrorWhere } from '../../../src/errors.ts';
import type { LandingStorage, PartUpload } from '../../../src/landing/LandingStorage.ts';
import type { Manifest } from '../../../src/landing/Manifest.ts';
import { SinkError } from '../../../src/landing/SinkError.ts';
import { StorageAccessError } from '../../../src/landing/StorageAccessError.ts';
import type { WatermarkState } from '../../../src/landing/Watermark.ts';

export class MemoryStorage implements LandingStorage {
  readonly objects = new Map<string, Buffer>();

  uri(key: string): string {
    return `memory://${key}`;
  }

  openPart(key: string, body: Readable): PartUpload {
    let aborted = false;
    let rejectDone: (e: Error) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      rejectDone = reject;
      const chunks: Buffer[] = [];
      body.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.on('error', reject);
      body.on('end', () => {
        if (aborted) return;
        this.objects.set(key, Buffer.concat(chunks));
        resolve();
      });
    });
    return {
      done,
      abort: async () => {
        aborted = true;
        rejectDone(new Error(`upload of ${key} aborted`));
      },
    };
  }

  async readPart(key: string): Promise<Readable> {
    return Readable.from([this.get(key)]);
  }

  async readManifest(key: string): Promise<Manifest | undefined> {
    return this.getJson<Manifest>(key);
  }

  async writeManifest(key: string, manifest: Manifest): Promise<void> {
    this.putJson(key, manifest);
  }

  async readWatermark(key: string): Promise<WatermarkState | undefined> {
    return this.getJson<WatermarkState>(key);
  }

  async writeWatermark(key: string, state: WatermarkState): Promise<void> {
    this.putJson(key, state);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  failure(what: string, key: string, cause: unknown, where?: ErrorWhere): SinkError | StorageAccessError {
    if (cause instanceof SinkError || cause instanceof StorageAccessError) return cause;
    return new SinkError(`${what} ${this.uri(key)} failed (${String(cause)})`, { cause, where });
  }

  private get(key: string): Buffer {
    const object = this.objects.get(key);
    if (!object) throw Object.assign(new Error(`no object at ${key}`), { name: 'NoSuchKey' });
    return object;
  }

  private getJson<T>(key: string): T | undefined {
    const object = this.objects.get(key);
    return object ? (JSON.parse(object.toString('utf8')) as T) : undefined;
  }

  private putJson(key: string, value: unknown): void {
    this.objects.set(key, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'));
  }
}
