/**
 * Reads landed part files back, streaming: the storage's bytes → gunzip → lines → records, in landing order.
 * Used to feed a child stream the parent's records of the run (across invocations) without holding
 * them in memory. A part given with its manifest sha256 is verified once read to its end: a part
 * that changed since it landed is a `SinkError`, never silently different parents.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ErrorWhere } from '../errors.ts';
import type { ApiRecord } from '../http/readTypes.ts';
import type { LandingStorage } from './LandingStorage.ts';
import { SinkError } from './SinkError.ts';

export type LandedPartRef = string | { key: string; sha256?: string };

export async function* readLandedRecords(
  storage: LandingStorage,
  parts: readonly LandedPartRef[],
  where?: ErrorWhere,
): AsyncGenerator<ApiRecord> {
  for (const part of parts) {
    const { key, sha256 } = typeof part === 'string' ? { key: part, sha256: undefined } : part;
    let body: Readable;
    try {
      body = await storage.readPart(key);
    } catch (e) {
      throw storage.failure('cannot read back', key, e, where);
    }
    const hash = sha256 ? createHash('sha256') : undefined;
    if (hash) body.on('data', (chunk: Buffer) => hash.update(chunk));
    const gunzip = createGunzip();
    body.on('error', (e) => gunzip.destroy(e));
    const lines = createInterface({ input: body.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        if (line.length > 0) yield JSON.parse(line) as ApiRecord;
      }
    } finally {
      lines.close();
      body.destroy();
    }
    if (hash && hash.digest('hex') !== sha256) {
      throw new SinkError(`${storage.uri(key)} does not match the sha256 its manifest lists`, { where });
    }
  }
}
