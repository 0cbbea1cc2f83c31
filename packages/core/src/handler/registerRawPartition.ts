/**
 * After a stream's manifest lands: its raw table in the Glue Data Catalog (`raw_<source>_<stream>`,
 * created or widened from a sample of the run's first records) gets the run's partition, so Athena
 * reads the run at once (docs/contracts.md, "Raw zone", raw tables). Only with `GLUE_DATABASE` set.
 *
 * The catalog is a convenience over the raw zone, not part of the run's truth: a failure here is
 * logged (ERROR, with the table) and the run goes on; the next run of the stream registers again.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { rawTableName, registerRawTable } from '../catalog/rawTable.ts';
import type { Manifest } from '../manifest/Manifest.ts';
import type { RunLocation } from '../sink/keys.ts';
import { readLandedRecords } from '../sink/readLandedRecords.ts';
import type { ApiRecord } from '../stream/types.ts';

/** Records read back from the first part to infer the table's columns. @default 200 */
export const RAW_TABLE_SAMPLE = 200;

export interface RegisterRawPartitionInput {
  glue: GlueClient;
  s3: S3Client;
  database: string;
  bucket: string;
  location: RunLocation;
  manifest: Manifest;
  logger: Logger;
}

export async function registerRawPartition(input: RegisterRawPartitionInput): Promise<void> {
  const { manifest, location: at } = input;
  const table = rawTableName(manifest.source, manifest.stream);
  try {
    const sample: ApiRecord[] = [];
    const first = manifest.parts[0];
    if (first) {
      for await (const record of readLandedRecords(input.s3, input.bucket, [first.key])) {
        sample.push(record);
        if (sample.length >= RAW_TABLE_SAMPLE) break;
      }
    }
    const { added } = await registerRawTable({
      glue: input.glue,
      database: input.database,
      source: manifest.source,
      stream: manifest.stream,
      bucket: input.bucket,
      streamPrefix: `${at.outputFolder}/${at.stream}`,
      partition: {
        importYear: at.importDate.slice(0, 4),
        importMonth: at.importDate.slice(4, 6),
        importDay: at.importDate.slice(6, 8),
        importDate: at.importDate,
        runId: at.runId,
      },
      sample,
    });
    input.logger.info('raw table partition registered', { table: `${input.database}.${table}`, added });
  } catch (error) {
    const e = error as { name?: string; message?: string };
    input.logger.error('raw table partition not registered', {
      table: `${input.database}.${table}`,
      errorName: e.name,
      errorMessage: e.message,
    });
  }
}
