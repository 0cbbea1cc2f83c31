/**
 * What a reader that trusts manifests sees: for the manifest at `key`, every part it lists checked
 * against the object in S3 (bytes, sha256, records). For "the committed state is exact" checks while
 * a rerun runs or after it failed.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { getJson, getObject } from './lake.ts';

/** The differences between the manifest at `key` and its parts in S3; empty when exact. */
export async function committedMismatches(bucket: string, key: string): Promise<string[]> {
  const manifest = await getJson<{
    parts: Array<{ key: string; records: number; bytes: number; sha256: string }>;
  }>(bucket, key);
  const problems: string[] = [];
  for (const part of manifest.parts) {
    let body: Buffer;
    try {
      body = await getObject(bucket, part.key);
    } catch (e) {
      problems.push(`${part.key}: cannot read (${(e as Error).name})`);
      continue;
    }
    if (body.length !== part.bytes) problems.push(`${part.key}: ${body.length} bytes, listed ${part.bytes}`);
    if (createHash('sha256').update(body).digest('hex') !== part.sha256)
      problems.push(`${part.key}: sha256 differs`);
    const records = gunzipSync(body).toString('utf8').split('\n').filter(Boolean).length;
    if (records !== part.records) problems.push(`${part.key}: ${records} records, listed ${part.records}`);
  }
  return problems;
}
