/**
 * A stream's records into part files: each page is serialized into one buffer and written once;
 * a new part starts after `partSizeBytes` of NDJSON (at a page boundary, so a page never straddles
 * two parts). Nothing accumulates beyond the part being written.
 */
import type { ErrorWhere } from '../errors.ts';
import type { ApiRecord, NdjsonLines } from '../http/readTypes.ts';
import { partKey, type RunLocation } from './keys.ts';
import type { LandingStorage } from './LandingStorage.ts';
import { type LandedPart, PartWriter } from './PartWriter.ts';
import type { SinkError } from './SinkError.ts';
import type { StorageAccessError } from './StorageAccessError.ts';

export interface StreamSinkOptions {
  storage: LandingStorage;
  location: RunLocation;
  /** The invocation's attempt id (`newAttempt()`): part keys carry it, so a sink never overwrites a part another invocation landed. */
  attempt: string;
  /** Start a new part after this many bytes of NDJSON. */
  partSizeBytes: number;
  /** Index of the first part this sink writes (parts landed by earlier invocations come before). @default 0 */
  firstPartIndex?: number;
  /** zlib level. @default 1 (see PartWriter) */
  gzipLevel?: number;
  /** For error messages. */
  where?: ErrorWhere;
}

/** One page as NDJSON, in a single buffer. */
export function toNdjson(records: readonly ApiRecord[]): Buffer {
  let text = '';
  for (const record of records) text += `${JSON.stringify(record)}\n`;
  return Buffer.from(text, 'utf8');
}

export class StreamSink {
  /** Parts this sink landed, in order. */
  readonly landed: LandedPart[] = [];
  private current: PartWriter | undefined;
  private nextIndex: number;

  constructor(private readonly options: StreamSinkOptions) {
    this.nextIndex = options.firstPartIndex ?? 0;
  }

  /** Keys this sink started, landed or not (for clean-up after a failure). */
  get touchedKeys(): string[] {
    const keys = this.landed.map((p) => p.key);
    if (this.current) keys.push(this.current.key);
    return keys;
  }

  /**
   * Writes one page. Returns a promise only when the caller must wait before the next page (a part
   * is closing, or zlib asks for backpressure); start fetching the next page before awaiting it.
   */
  writePage(records: readonly ApiRecord[]): Promise<void> | undefined {
    if (records.length === 0) return undefined;
    return this.write(toNdjson(records), records.length);
  }

  /** Writes one page already in NDJSON (the API's bytes, see http/scanRecords); as `writePage`. */
  writeLines(lines: NdjsonLines): Promise<void> | undefined {
    if (lines.count === 0) return undefined;
    return this.write(lines.ndjson, lines.count);
  }

  private write(chunk: Buffer, count: number): Promise<void> | undefined {
    let part = this.current;
    if (!part) {
      part = new PartWriter({
        storage: this.options.storage,
        key: partKey(this.options.location, this.nextIndex++, this.options.attempt),
        gzipLevel: this.options.gzipLevel,
      });
      this.current = part;
    }
    let ready: boolean;
    try {
      ready = part.write(chunk, count);
    } catch (e) {
      throw this.sinkError(part.key, e);
    }
    if (part.ndjsonBytes >= this.options.partSizeBytes) return this.flush();
    if (!ready) return part.drained().catch((e) => Promise.reject(this.sinkError(part.key, e)));
    return undefined;
  }

  /** Closes the current part, if any, once it is durable in storage. */
  async flush(): Promise<void> {
    const part = this.current;
    if (!part) return;
    this.current = undefined;
    try {
      this.landed.push(await part.close());
    } catch (e) {
      await part.abort();
      throw this.sinkError(part.key, e);
    }
  }

  /** Aborts the part being written: its object never appears. */
  async abort(): Promise<void> {
    const part = this.current;
    this.current = undefined;
    await part?.abort();
  }

  private sinkError(key: string, cause: unknown): SinkError | StorageAccessError {
    return this.options.storage.failure('upload of', key, cause, this.options.where);
  }
}
