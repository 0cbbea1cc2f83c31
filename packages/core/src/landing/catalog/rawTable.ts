/**
 * The raw zone in the Glue Data Catalog: one table per source stream over its gzip NDJSON parts
 * (OpenX JSON SerDe), partitioned like the keys (import_year … run_id), so Athena reads a run as
 * soon as its manifest lands. Columns are the records' top-level fields (`rawSchema.ts`); new
 * fields add columns, never remove any; a type change widens the column. Every partition carries the table's whole storage descriptor (columns, SerDe and its
 * parameters, formats), its location aside, and follows the table when it changes.
 */
import {
  AlreadyExistsException,
  CreateTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  type GlueClient,
  type StorageDescriptor,
  type Table,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { bringPartitionsAlong, matchesTable, type RawPartition, registerPartition } from './rawPartitions.ts';
import { mergeSchema, PARTITION_KEYS, type RawSchema, type SchemaChange } from './rawSchema.ts';

export type { RawPartition } from './rawPartitions.ts';

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
  const { glue, database, bucket, streamPrefix } = input;
  const table = rawTableName(input.source, input.stream);
  const existing = await readTable(glue, database, table);
  const named = existing?.Parameters?.[NAMING] === NAMING_VALUE;
  const change = mergeSchema(existing ? schemaOf(existing.StorageDescriptor) : undefined, input.sample, {
    renameToRule: existing !== undefined && !named,
  });
  const sd = storage(bucket, streamPrefix, change.schema);
  let partitionsUpdated = 0;
  if (existing) partitionsUpdated = await updateTable(input, table, existing, sd);
  else await createTable(input, table, sd);
  await registerPartition({ glue, database, table, bucket, streamPrefix }, sd, input.partition);
  return { table, added: change.added, widened: change.widened, renamed: change.renamed, partitionsUpdated };
}

/** The table, or undefined when there is none yet. */
function readTable(glue: GlueClient, database: string, table: string): Promise<Table | undefined> {
  return glue
    .send(new GetTableCommand({ DatabaseName: database, Name: table }))
    .then((r) => r.Table)
    .catch((error: unknown) => {
      if (error instanceof EntityNotFoundException) return undefined;
      throw error;
    });
}

/** A new table (one made meanwhile by a concurrent run is as good). */
async function createTable(
  input: RegisterRawTableInput,
  table: string,
  sd: StorageDescriptor,
): Promise<void> {
  await input.glue
    .send(
      new CreateTableCommand({
        DatabaseName: input.database,
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
}

/**
 * An existing table given the descriptor `sd` when it changed (or was named before the rule), its
 * partitions brought along; returns how many partitions were updated.
 */
async function updateTable(
  input: RegisterRawTableInput,
  table: string,
  existing: Table,
  sd: StorageDescriptor,
): Promise<number> {
  const { glue, database, bucket, streamPrefix } = input;
  const named = existing.Parameters?.[NAMING] === NAMING_VALUE;
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
  if (!changed && followed) return 0;
  const partitionsUpdated = await bringPartitionsAlong({ glue, database, table, bucket, streamPrefix }, sd);
  // Marked only once every partition follows: a failure above retries on the next run.
  if (!followed) await update({ ...parameters, [PARTITIONS_FOLLOW]: PARTITIONS_FOLLOW_VALUE });
  return partitionsUpdated;
}
