/**
 * The raw tables' partitions (see rawTable.ts): the run's partition registered with the table's
 * descriptor, and the partitions of earlier runs brought along when the table changes.
 */
import {
  BatchCreatePartitionCommand,
  BatchUpdatePartitionCommand,
  type BatchUpdatePartitionRequestEntry,
  type GlueClient,
  paginateGetPartitions,
  type StorageDescriptor,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import { PARTITION_KEYS } from './rawSchema.ts';

export interface RawPartition {
  importYear: string;
  importMonth: string;
  importDay: string;
  importDate: string;
  runId: string;
}

/** Where a raw table is, in the catalog and in S3. */
export interface TableAt {
  glue: GlueClient;
  database: string;
  table: string;
  bucket: string;
  /** `<OUTPUT_FOLDER>/<stream>`: the folder that holds the stream's partitions. */
  streamPrefix: string;
}

/**
 * A partition's descriptor: the table's whole descriptor with only the location changed, as Hive
 * does. Hive-connector readers (Trino, so Athena) take a partition's SerDe parameters from the
 * partition alone: without the table's `mapping.*` a mapped column reads NULL, with no error.
 */
export function partitionStorage(table: StorageDescriptor, location: string): StorageDescriptor {
  return { ...table, Location: location };
}

/** A partition's folder, named like the keys: `…/import_year=YYYY/…/run_id=<runId>/`. */
function partitionLocation(bucket: string, streamPrefix: string, values: readonly string[]): string {
  const folders = PARTITION_KEYS.map((k, i) => `${k.Name}=${values[i]}`).join('/');
  return `s3://${bucket}/${streamPrefix}/${folders}/`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Whether a partition's descriptor is the table's (location aside). */
export function matchesTable(partition: StorageDescriptor | undefined, table: StorageDescriptor): boolean {
  if (!partition) return false;
  const cols = (sd: StorageDescriptor) => (sd.Columns ?? []).map((c) => [c.Name, c.Type]);
  const params = (sd: StorageDescriptor) => Object.entries(sd.SerdeInfo?.Parameters ?? {}).sort();
  return (
    same(cols(partition), cols(table)) &&
    same(params(partition), params(table)) &&
    partition.SerdeInfo?.SerializationLibrary === table.SerdeInfo?.SerializationLibrary &&
    partition.InputFormat === table.InputFormat &&
    partition.OutputFormat === table.OutputFormat &&
    Boolean(partition.Compressed) === Boolean(table.Compressed)
  );
}

/** BatchUpdatePartition takes at most 100 entries. */
const BATCH = 100;

/**
 * Gives every partition of the table that differs from `sd` the table's descriptor (its own
 * location kept), so a widened column or a new mapping reaches the runs already registered.
 * Returns how many partitions were updated.
 */
export async function bringPartitionsAlong(at: TableAt, sd: StorageDescriptor): Promise<number> {
  const { glue, database, table, bucket, streamPrefix } = at;
  const entries: BatchUpdatePartitionRequestEntry[] = [];
  for await (const page of paginateGetPartitions(
    { client: glue },
    { DatabaseName: database, TableName: table },
  )) {
    for (const p of page.Partitions ?? []) {
      if (matchesTable(p.StorageDescriptor, sd)) continue;
      entries.push({
        PartitionValueList: p.Values ?? [],
        PartitionInput: {
          Values: p.Values,
          Parameters: p.Parameters,
          StorageDescriptor: partitionStorage(
            sd,
            p.StorageDescriptor?.Location ?? partitionLocation(bucket, streamPrefix, p.Values ?? []),
          ),
        },
      });
    }
  }
  for (let i = 0; i < entries.length; i += BATCH) {
    const result = await glue.send(
      new BatchUpdatePartitionCommand({
        DatabaseName: database,
        TableName: table,
        Entries: entries.slice(i, i + BATCH),
      }),
    );
    const failure = result.Errors?.[0];
    if (failure) {
      throw new Error(
        `Glue could not update partition ${failure.PartitionValueList?.join('/')} of ${database}.${table} to the table's descriptor: ${failure.ErrorDetail?.ErrorCode} ${failure.ErrorDetail?.ErrorMessage}; the next run of the stream tries again`,
      );
    }
  }
  return entries.length;
}

/** The run's partition, with the table's descriptor; a rerun's partition gets this run's. */
export async function registerPartition(
  at: TableAt,
  sd: StorageDescriptor,
  partition: RawPartition,
): Promise<void> {
  const { glue, database, table, bucket, streamPrefix } = at;
  const values = [
    partition.importYear,
    partition.importMonth,
    partition.importDay,
    partition.importDate,
    partition.runId,
  ];
  const partitionInput = {
    Values: values,
    StorageDescriptor: partitionStorage(sd, partitionLocation(bucket, streamPrefix, values)),
  };
  const result = await glue.send(
    new BatchCreatePartitionCommand({
      DatabaseName: database,
      TableName: table,
      PartitionInputList: [partitionInput],
    }),
  );
  const failure = result.Errors?.[0];
  if (failure?.ErrorDetail?.ErrorCode === 'AlreadyExistsException') {
    // A rerun: the partition exists; give it this run's descriptor (its location is the same).
    await glue.send(
      new UpdatePartitionCommand({
        DatabaseName: database,
        TableName: table,
        PartitionValueList: values,
        PartitionInput: partitionInput,
      }),
    );
  } else if (failure) {
    throw new Error(
      `Glue could not register partition ${values.join('/')} of ${database}.${table}: ${failure.ErrorDetail?.ErrorCode} ${failure.ErrorDetail?.ErrorMessage}`,
    );
  }
}
