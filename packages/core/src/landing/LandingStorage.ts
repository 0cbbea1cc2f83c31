/**
 * What landing needs of storage, and nothing more: land a part (streaming), read a landed part
 * back, commit and read a manifest, read and write a watermark, list a run's prefix and delete
 * orphans. S3 is its one implementation (`storage/s3/`); nothing else in core knows it is S3.
 *
 * The shape follows Powertools' idempotency `BasePersistenceLayer`: the logic (gzip and sha256 of a
 * part, which parts are stale, when the watermark may move, which part an orphan is) stays in core,
 * the backend only stores and fetches. Keys are the raw zone's (`landing/keys.ts`, docs/contracts.md
 * "Raw zone"): every backend holds the same keys, so the layout is the contract whatever holds it.
 *
 * Failures: an operation rejects with the backend's own error; `failure()` turns it into the typed
 * error the state machine matches (`SinkError`, retryable; `StorageAccessError`, fatal), naming the
 * object and what to check. The caller says what it was doing (`'upload of'`, `'cannot read back'`).
 */
import type { Readable } from 'node:stream';
import type { ErrorWhere } from '../errors.ts';
import type { Manifest } from './Manifest.ts';
import type { SinkError } from './SinkError.ts';
import type { StorageAccessError } from './StorageAccessError.ts';
import type { WatermarkState } from './Watermark.ts';

/** One part being landed. */
export interface PartUpload {
  /** Resolves once the whole object is durable; rejects if the upload failed or was aborted. */
  readonly done: Promise<unknown>;
  /** Stops the upload: no object appears at the key (an unfinished upload leaves nothing). */
  abort(): Promise<unknown>;
}

export interface LandingStorage {
  /** A key's address as results and messages show it (`s3://<bucket>/<key>`). */
  uri(key: string): string;
  /**
   * Starts landing the part at `key` from `body` (gzip bytes), consuming it as it is written: memory
   * stays bounded by the backend's buffers, never by the part's size.
   */
  openPart(key: string, body: Readable): PartUpload;
  /** A landed part's bytes, streaming. Rejects when the part cannot be read. */
  readPart(key: string): Promise<Readable>;
  /** The manifest at `key`, or `undefined` when none was committed. */
  readManifest(key: string): Promise<Manifest | undefined>;
  /** Writes the manifest at `key`, replacing any: the commit point of a stream's run. */
  writeManifest(key: string, manifest: Manifest): Promise<void>;
  /** The watermark state at `key`, or `undefined` when the stream has none yet. */
  readWatermark(key: string): Promise<WatermarkState | undefined>;
  /**
   * Writes the watermark state at `key`, unconditionally: whether it may move is decided before
   * (`landing/Watermark.ts` `advanceWatermark`, which reads it again just before).
   */
  writeWatermark(key: string, state: WatermarkState): Promise<void>;
  /** Every key under `prefix`, in key order. */
  list(prefix: string): Promise<string[]>;
  /** Deletes `keys`; a key already absent is no error. */
  delete(keys: readonly string[]): Promise<void>;
  /**
   * The typed error for a failure of this storage while `<what> <uri(key)>`: `StorageAccessError`
   * when a retry cannot cure it (no such bucket, access denied), else `SinkError`. A `SinkError` or
   * `StorageAccessError` given as the cause is returned as is.
   */
  failure(what: string, key: string, cause: unknown, where?: ErrorWhere): SinkError | StorageAccessError;
}
