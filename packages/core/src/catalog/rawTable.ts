/**
 * The raw zone in the Glue Data Catalog: one table per source stream over its gzip NDJSON parts
 * (OpenX JSON SerDe), partitioned like the keys (import_year … run_id), so Athena reads a run as
 * soon as its manifest lands. Columns are the records' top-level fields; new fields add columns,
 * never remove any; nested objects and arrays read as JSON strings.
 */
import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  type Column,
  CreateTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  type GlueClient,
  type StorageDescriptor,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';

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

export const PARTITION_KEYS: readonly Column[] = [
  { Name: 'import_year', Type: 'string' },
  { Name: 'import_month', Type: 'string' },
  { Name: 'import_day', Type: 'string' },
  { Name: 'import_date', Type: 'string' },
  { Name: 'run_id', Type: 'string' },
];

/** `raw_<source>_<stream>`, in the characters Glue and Athena accept. */
export function rawTableName(source: string, stream: string): string {
  return `raw_${source}_${stream}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** A JSON key as a Glue column name: lowercase, `[a-z0-9_]`, not starting with a digit. */
export function columnName(key: string): string {
  const name = key
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '') return 'col';
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function hiveType(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'double';
  return 'string';
}

function widen(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  if ((a === 'bigint' && b === 'double') || (a === 'double' && b === 'bigint')) return 'double';
  return 'string';
}

/**
 * Columns inferred from records: the first key to claim a column name keeps it; another key that
 * sanitizes to the same name gets a numbered suffix, so no field is silently merged into another.
 */
export function inferColumns(sample: readonly Record<string, unknown>[]): {
  columns: Column[];
  mapping: Record<string, string>;
} {
  const types = new Map<string, string | undefined>();
  const keyOf = new Map<string, string>();
  const nameOfKey = new Map<string, string>();
  for (const record of sample) {
    for (const [key, value] of Object.entries(record)) {
      let name = nameOfKey.get(key);
      if (name === undefined) {
        const base = columnName(key);
        name = base;
        for (let i = 2; keyOf.has(name); i++) name = `${base}_${i}`;
        keyOf.set(name, key);
        nameOfKey.set(key, name);
      }
      types.set(name, widen(types.get(name), hiveType(value)));
    }
  }
  const columns = [...types].map(([Name, Type]) => ({ Name, Type: Type ?? 'string' }));
  const mapping: Record<string, string> = {};
  for (const [name, key] of keyOf) if (name !== key) mapping[name] = key;
  return { columns, mapping };
}

function storage(
  bucket: string,
  streamPrefix: string,
  columns: Column[],
  mapping: Record<string, string>,
): StorageDescriptor {
  const params: Record<string, string> = { 'ignore.malformed.json': 'FALSE', 'case.insensitive': 'FALSE' };
  for (const [name, key] of Object.entries(mapping)) params[`mapping.${name}`] = key;
  return {
    Columns: columns,
    Location: `s3://${bucket}/${streamPrefix}/`,
    InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    Compressed: true,
    SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: params },
  };
}

/**
 * Creates or widens the stream's raw table, then registers the run's partition. Idempotent: a rerun
 * registers nothing twice and keeps every column it had.
 */
export async function registerRawTable(
  input: RegisterRawTableInput,
): Promise<{ table: string; added: string[] }> {
  const { glue, database, bucket, streamPrefix, partition } = input;
  const table = rawTableName(input.source, input.stream);
  const inferred = inferColumns(input.sample);
  let added: string[] = [];

  const existing = await glue
    .send(new GetTableCommand({ DatabaseName: database, Name: table }))
    .then((r) => r.Table)
    .catch((error: unknown) => {
      if (error instanceof EntityNotFoundException) return undefined;
      throw error;
    });

  if (!existing) {
    added = inferred.columns.map((c) => c.Name ?? '');
    await glue
      .send(
        new CreateTableCommand({
          DatabaseName: database,
          TableInput: {
            Name: table,
            TableType: 'EXTERNAL_TABLE',
            Parameters: { classification: 'json', compressionType: 'gzip', 'tributary.source': input.source },
            PartitionKeys: [...PARTITION_KEYS],
            StorageDescriptor: storage(bucket, streamPrefix, inferred.columns, inferred.mapping),
          },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof AlreadyExistsException)) throw error;
      });
  } else {
    const have = existing.StorageDescriptor?.Columns ?? [];
    const haveNames = new Set(have.map((c) => c.Name));
    const missing = inferred.columns.filter((c) => !haveNames.has(c.Name));
    if (missing.length > 0) {
      added = missing.map((c) => c.Name ?? '');
      const oldMapping: Record<string, string> = {};
      for (const [k, v] of Object.entries(existing.StorageDescriptor?.SerdeInfo?.Parameters ?? {})) {
        if (k.startsWith('mapping.')) oldMapping[k.slice('mapping.'.length)] = v;
      }
      await glue.send(
        new UpdateTableCommand({
          DatabaseName: database,
          TableInput: {
            Name: table,
            TableType: existing.TableType ?? 'EXTERNAL_TABLE',
            Parameters: existing.Parameters ?? {},
            PartitionKeys: existing.PartitionKeys ?? [...PARTITION_KEYS],
            StorageDescriptor: storage(bucket, streamPrefix, [...have, ...missing], {
              ...oldMapping,
              ...inferred.mapping,
            }),
          },
        }),
      );
    }
  }

  const values = [
    partition.importYear,
    partition.importMonth,
    partition.importDay,
    partition.importDate,
    partition.runId,
  ];
  const location = `s3://${bucket}/${streamPrefix}/import_year=${values[0]}/import_month=${values[1]}/import_day=${values[2]}/import_date=${values[3]}/run_id=${values[4]}/`;
  const result = await glue.send(
    new BatchCreatePartitionCommand({
      DatabaseName: database,
      TableName: table,
      PartitionInputList: [
        {
          Values: values,
          StorageDescriptor: {
            ...storage(bucket, streamPrefix, [], {}),
            Columns: undefined,
            Location: location,
          },
        },
      ],
    }),
  );
  const failure = result.Errors?.find((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
  if (failure) {
    throw new Error(
      `Glue could not register partition ${values.join('/')} of ${database}.${table}: ${failure.ErrorDetail?.ErrorCode} ${failure.ErrorDetail?.ErrorMessage}`,
    );
  }
  return { table, added };
}
