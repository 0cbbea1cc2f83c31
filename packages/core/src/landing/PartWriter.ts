/**
 * One part file: NDJSON chunks → gzip (node:zlib, streaming) → sha256/byte count → the storage's
 * streaming upload (S3: a multipart upload). Memory is bounded by zlib's and the upload's buffers,
 * never by the part's size. Either `close()` lands the whole object or `abort()` leaves none.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { constants, createGzip, type Gzip } from 'node:zlib';
import type { LandingStorage, PartUpload } from './LandingStorage.ts';

/** What the manifest says of a landed part. */
export interface LandedPart {
  key: string;
  records: number;
  /** Bytes of the object (gzip). */
  bytes: number;
  /** Hex sha256 of the object's bytes. */
  sha256: string;
  /** Bytes of NDJSON before compression. */
  ndjsonBytes: number;
}

/** Counts and hashes the bytes that pass, without copying them. */
class Digest extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export interface PartWriterOptions {
  storage: LandingStorage;
  key: string;
  /**
   * zlib level. Level 1 costs about a third of level 6's CPU for parts a little larger: the raw zone
   * is written once per run and read once per curation, so speed wins.
   * @default 1 (Z_BEST_SPEED)
   */
  gzipLevel?: number;
}

export class PartWriter {
  readonly key: string;
  records = 0;
  ndjsonBytes = 0;
  private readonly gzip: Gzip;
  private readonly digest = new Digest();
  private readonly upload: PartUpload;
  private readonly done: Promise<unknown>;
  private failure: unknown;
  private drainWaiters: Array<{ ok: () => void; fail: (e: unknown) => void }> = [];

  constructor(options: PartWriterOptions) {
    this.key = options.key;
    this.gzip = createGzip({
      level: options.gzipLevel ?? constants.Z_BEST_SPEED,
      // The largest hash table: ~2 % less CPU than the default 8, for 128 KiB more per part.
      memLevel: 9,
      // Output in 256 KiB buffers, not 16 KiB: ~1 per page instead of ~12; measured −25 % of the
      // landing's CPU, most of it garbage collection (bench/FINDINGS.md).
      chunkSize: 256 * 1024,
    });
    this.gzip.pipe(this.digest);
    this.gzip.on('drain', () => this.settleDrain());
    this.gzip.on('error', (e) => this.fail(e));
    this.digest.on('error', (e) => this.fail(e));
    // The upload starts at once; it consumes the digest while pages are being written.
    this.upload = options.storage.openPart(options.key, this.digest);
    this.done = this.upload.done;
    this.done.catch((e) => this.fail(e));
  }

  /**
   * Writes one page's NDJSON. Returns `false` when zlib's buffer is full: await `drained()` before
   * the next write (the caller may fetch meanwhile).
   */
  write(chunk: Buffer, records: number): boolean {
    if (this.failure !== undefined) throw this.failure;
    this.records += records;
    this.ndjsonBytes += chunk.length;
    return this.gzip.write(chunk);
  }

  /** Resolves when zlib accepts more input; rejects if the upload failed meanwhile. */
  drained(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.gzip.writableNeedDrain) return Promise.resolve();
    return new Promise((ok, fail) => this.drainWaiters.push({ ok, fail }));
  }

  /** Ends the gzip stream and waits until the object is durable in storage. */
  async close(): Promise<LandedPart> {
    if (this.failure !== undefined) throw this.failure;
    this.gzip.end();
    await this.done;
    return {
      key: this.key,
      records: this.records,
      bytes: this.digest.bytes,
      sha256: this.digest.hash.digest('hex'),
      ndjsonBytes: this.ndjsonBytes,
    };
  }

  /** Stops the upload: an unfinished multipart upload is aborted, so no object appears. */
  async abort(): Promise<void> {
    this.fail(new Error('part aborted'));
    await this.done.catch(() => undefined);
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    void this.upload.abort();
    this.gzip.destroy();
    this.digest.destroy();
    for (const w of this.drainWaiters.splice(0)) w.fail(error);
  }

  private settleDrain(): void {
    for (const w of this.drainWaiters.splice(0)) w.ok();
  }
}
