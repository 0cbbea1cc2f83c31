/**
 * After a stream's manifest lands: its raw table in the Glue Data Catalog (`raw_<source>_<stream>`,
 * created or widened from a sample of the first records of each of the run's parts) gets the run's
 * partition, with the table's whole storage descriptor, so Athena reads the run at once
 * (docs/contracts.md, "Raw tables"). Only with `GLUE_DATABASE` set.
 *
 * The catalog is a convenience over the raw zone, not part of the run's truth: a failure here is
 * logged (ERROR, with the table) and the run goes on; the next run of the stream registers again.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { ApiRecord } from '../http/readTypes.ts';
import { rawTableName, registerRawTable } from '../landing/catalog/rawTable.ts';
import { type RunLocation, runFolderOf } from '../landing/keys.ts';
import type { LandingStorage } from '../landing/LandingStorage.ts';
import type { Manifest } from '../landing/Manifest.ts';
import { readLandedRecords } from '../landing/readLandedRecords.ts';

/** Records read back from the start of each part to infer the table's columns. @default 200 */
export const RAW_TABLE_SAMPLE = 200;

export interface RegisterRawPartitionInput {
  glue: GlueClient;
  /** Where the parts are read back from, for the sample. */
  storage: LandingStorage;
  database: string;
  /** The raw bucket, for the table's location. */
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
    for (const part of manifest.parts) {
      let n = 0;
      for await (const record of readLandedRecords(input.storage, [part.key])) {
        sample.push(record);
        if (++n >= RAW_TABLE_SAMPLE) break;
      }
    }
    const { added, widened, renamed, partitionsUpdated } = await registerRawTable({
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
        runId: runFolderOf(at),
      },
      sample,
    });
    input.logger.info('raw table partition registered', {
      table: `${input.database}.${table}`,
      added,
      widened,
      renamed,
      partitionsUpdated,
    });
  } catch (error) {
    const e = error as { name?: string; message?: string };
    input.logger.error('raw table partition not registered', {
      table: `${input.database}.${table}`,
      errorName: e.name,
      errorMessage: e.message,
    });
  }
}
