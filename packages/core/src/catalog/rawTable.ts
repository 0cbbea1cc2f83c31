/**
 * The raw zone in the Glue Data Catalog: one table per source stream over its gzip NDJSON parts
 * (OpenX JSON SerDe), partitioned like the keys (import_year … run_id), so Athena reads a run as
 * soon as its manifest lands. Columns are the records' top-level fields (`rawSchema.ts`); new
 * fields add columns, never remove any; a type change widens the column. Every partition carries the table's whole storage descriptor (columns, SerDe and its
 * parameters, formats), its location aside, and follows the table when it changes.
 */
import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  BatchUpdatePartitionCommand,
  type BatchUpdatePartitionRequestEntry,
  CreateTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  type GlueClient,
  paginateGetPartitions,
  type StorageDescriptor,
  UpdatePartitionCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { mergeSchema, PARTITION_KEYS, type RawSchema, type SchemaChange } from './rawSchema.ts';

export interface RawPartition {
  importYear: string;
  importMonth: string;
  importDay: string;
  importDate: string;
  runId: string;
}

export interface RegisterRawTableInput {
  glue: GlueClient;
  database: string;
  source: string;
  stream: string;
  bucket: string;
  /** `<OUTPUT_FOLDER>/<stream>`: the folder that holds the stream's partitions. */
  streamPrefix: string;
  partition: RawPartition;
  /** A few of the run's records (e.g. its first page): their top-level fields become the columns. */
  sample: readonly Record<string, unknown>[];
}

/** `raw_<source>_<stream>`, in the characters Glue and Athena accept. */
export function rawTableName(source: string, stream: string): string {
  return `raw_${source}_${stream}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function schemaOf(sd: StorageDescriptor | undefined): RawSchema {
  const mapping: Record<string, string> = {};
  for (const [k, v] of Object.entries(sd?.SerdeInfo?.Parameters ?? {})) {
    if (k.startsWith('mapping.')) mapping[k.slice('mapping.'.length)] = v;
  }
  return { columns: sd?.Columns ?? [], mapping };
}

function storage(bucket: string, streamPrefix: string, schema: RawSchema): StorageDescriptor {
  const params: Record<string, string> = { 'ignore.malformed.json': 'FALSE', 'case.insensitive': 'FALSE' };
  for (const [name, key] of Object.entries(schema.mapping)) params[`mapping.${name}`] = key;
  return {
    Columns: schema.columns,
    Location: `s3://${bucket}/${streamPrefix}/`,
    InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    Compressed: true,
    SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: params },
  };
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
function matchesTable(partition: StorageDescriptor | undefined, table: StorageDescriptor): boolean {
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

/**
 * The table parameter that says every partition carries the table's descriptor. A table without it
 * (registered before partitions did) has its partitions brought along once.
 */
const PARTITIONS_FOLLOW = 'tributary.partitions';
const PARTITIONS_FOLLOW_VALUE = 'table-descriptor';
/**
 * The table parameter that says its columns are named by the rule of docs/contracts.md ("Column
 * names"). A table without it (named before the rule) has its columns renamed to it once.
 */
const NAMING = 'tributary.column_names';
const NAMING_VALUE = 'contracts-v1';
/** BatchUpdatePartition takes at most 100 entries. */
const BATCH = 100;

/**
 * Gives every partition of the table that differs from `sd` the table's descriptor (its own
 * location kept), so a widened column or a new mapping reaches the runs already registered.
 * Returns how many partitions were updated.
 */
async function bringPartitionsAlong(
  glue: GlueClient,
  database: string,
  table: string,
  sd: StorageDescriptor,
  bucket: string,
  streamPrefix: string,
): Promise<number> {
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

/**
 * Creates or widens the stream's raw table, brings its partitions along when the table changed,
 * then registers the run's partition with the table's descriptor. Idempotent: a rerun registers
 * nothing twice and keeps every column it had.
 */
export async function registerRawTable(input: RegisterRawTableInput): Promise<{
  table: string;
  added: string[];
  widened: SchemaChange['widened'];
  renamed: SchemaChange['renamed'];
  /** Partitions of earlier runs given the table's (changed) descriptor. */
  partitionsUpdated: number;
}> {
  const { glue, database, bucket, streamPrefix, partition } = input;
  const table = rawTableName(input.source, input.stream);

  const existing = await glue
    .send(new GetTableCommand({ DatabaseName: database, Name: table }))
    .then((r) => r.Table)
    .catch((error: unknown) => {
      if (error instanceof EntityNotFoundException) return undefined;
      throw error;
    });

  const named = existing?.Parameters?.[NAMING] === NAMING_VALUE;
  const change = mergeSchema(existing ? schemaOf(existing.StorageDescriptor) : undefined, input.sample, {
    renameToRule: existing !== undefined && !named,
  });
  const sd = storage(bucket, streamPrefix, change.schema);
  let partitionsUpdated = 0;

  if (!existing) {
    await glue
      .send(
        new CreateTableCommand({
          DatabaseName: database,
          TableInput: {
            Name: table,
            TableType: 'EXTERNAL_TABLE',
            Parameters: {
              classification: 'json',
              compressionType: 'gzip',
              'tributary.source': input.source,
              [PARTITIONS_FOLLOW]: PARTITIONS_FOLLOW_VALUE,
              [NAMING]: NAMING_VALUE,
            },
            PartitionKeys: [...PARTITION_KEYS],
            StorageDescriptor: sd,
          },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof AlreadyExistsException)) throw error;
      });
  } else {
    const followed = existing.Parameters?.[PARTITIONS_FOLLOW] === PARTITIONS_FOLLOW_VALUE;
    const changed = !matchesTable(existing.StorageDescriptor, sd);
    const update = (parameters: Record<string, string>) =>
      glue.send(
        new UpdateTableCommand({
          DatabaseName: database,
          TableInput: {
            Name: table,
            TableType: existing.TableType ?? 'EXTERNAL_TABLE',
            Parameters: parameters,
            PartitionKeys: existing.PartitionKeys ?? [...PARTITION_KEYS],
            StorageDescriptor: sd,
          },
        }),
      );
    const parameters = { ...existing.Parameters, [NAMING]: NAMING_VALUE };
    if (changed || !named) await update(parameters);
    if (changed || !followed) {
      partitionsUpdated = await bringPartitionsAlong(glue, database, table, sd, bucket, streamPrefix);
      // Marked only once every partition follows: a failure above retries on the next run.
      if (!followed) await update({ ...parameters, [PARTITIONS_FOLLOW]: PARTITIONS_FOLLOW_VALUE });
    }
  }

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
  return { table, added: change.added, widened: change.widened, renamed: change.renamed, partitionsUpdated };
}
