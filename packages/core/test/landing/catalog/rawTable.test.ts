import {
  BatchCreatePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
  type StorageDescriptor,
} from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  columnName,
  inferColumns,
  mergeSchema,
  PARTITION_KEYS,
} from '../../../src/landing/catalog/rawSchema.ts';
import { registerRawTable } from '../../../src/landing/catalog/rawTable.ts';

const glue = new GlueClient({});
const database = `raw_table_test_${process.pid}`;
const partition = (runId: string) => ({
  importYear: '2026',
  importMonth: '11',
  importDay: '23',
  importDate: '20261123',
  runId,
});

describe('column inference', () => {
  test('names follow docs/contracts.md and collisions get a suffix instead of merging fields', () => {
    // the rule's own vectors: test/vectors/column-names.json (columnNames.test.ts)
    expect(columnName(':updated_at')).toBe('_updated_at');
    expect(columnName('Total Price')).toBe('total_price');
    expect(columnName('2fa')).toBe('_2fa');
    expect(columnName('orderDate')).toBe('order_date');
    const { columns, mapping } = inferColumns([{ ':id': 'row-1', id: 7, ID: 'x', 'a-b': true }]);
    // columns in the order the records show them; names given in code-point order of the keys
    expect(columns.map((c) => c.Name)).toEqual(['_id', 'id_2', 'id', 'a_b']);
    expect(mapping).toEqual({ _id: ':id', id_2: 'id', id: 'ID', a_b: 'a-b' });
  });

  test('types widen across records: int+float is double, anything else mixed is string', () => {
    const { columns } = inferColumns([
      { n: 1, f: 1, s: 'a', nested: { a: 1 }, list: [1], gone: null },
      { n: 2, f: 1.5, s: 3, nested: null },
    ]);
    expect(Object.fromEntries(columns.map((c) => [c.Name, c.Type]))).toEqual({
      n: 'bigint',
      f: 'double',
      s: 'string',
      nested: 'string',
      list: 'string',
      gone: 'string',
    });
  });
});

test('an integer beyond 64 bits reads as double, not bigint', () => {
  const sample = [JSON.parse('{"big": 18446744073709551616, "max": 9007199254740993}')];
  expect(inferColumns(sample).columns.map((c) => [c.Name, c.Type])).toEqual([
    ['big', 'double'],
    ['max', 'bigint'],
  ]);
});

describe('registerRawTable against the Glue catalog (moto)', () => {
  beforeAll(async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  });

  test('creates the table with partition keys, registers the run, and is idempotent', async () => {
    // Prepare
    const input = {
      glue,
      database,
      source: 'casenotes-data',
      stream: 'notes',
      bucket: 'raw-bucket',
      streamPrefix: 'housing/casenotes-data/notes',
      sample: [{ id: 1, body: 'x', author: { name: 'a' } }],
    };
    // Act
    const first = await registerRawTable({ ...input, partition: partition('run-1') });
    await registerRawTable({ ...input, partition: partition('run-1') });
    // Assess
    expect(first).toEqual({
      table: 'raw_casenotes_data_notes',
      added: ['id', 'body', 'author'],
      widened: [],
      renamed: [],
      partitionsUpdated: 0,
    });
    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: database, Name: first.table }));
    expect(Table?.PartitionKeys?.map((k) => k.Name)).toEqual([
      'import_year',
      'import_month',
      'import_day',
      'import_date',
      'run_id',
    ]);
    expect(Table?.StorageDescriptor?.Location).toBe('s3://raw-bucket/housing/casenotes-data/notes/');
    expect(Table?.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe(
      'org.openx.data.jsonserde.JsonSerDe',
    );
    const { Partitions } = await glue.send(
      new GetPartitionsCommand({ DatabaseName: database, TableName: first.table }),
    );
    expect(Partitions?.map((p) => p.Values)).toEqual([['2026', '11', '23', '20261123', 'run-1']]);
    expect(Partitions?.[0]?.StorageDescriptor?.Location).toBe(
      's3://raw-bucket/housing/casenotes-data/notes/import_year=2026/import_month=11/import_day=23/import_date=20261123/run_id=run-1/',
    );
  });

  test('a later run with a new field adds its column and keeps the old ones', async () => {
    const base = {
      glue,
      database,
      source: 'drift',
      stream: 'items',
      bucket: 'b',
      streamPrefix: 'drift/items',
    };
    await registerRawTable({ ...base, partition: partition('r1'), sample: [{ id: 1, ':name': 'a' }] });
    const second = await registerRawTable({
      ...base,
      partition: partition('r2'),
      sample: [{ id: 2, extra: 1.5 }],
    });
    expect(second.added).toEqual(['extra']);
    const { Table } = await glue.send(
      new GetTableCommand({ DatabaseName: database, Name: 'raw_drift_items' }),
    );
    expect(Table?.StorageDescriptor?.Columns?.map((c) => [c.Name, c.Type])).toEqual([
      ['id', 'bigint'],
      ['_name', 'string'],
      ['extra', 'double'],
    ]);
    expect(Table?.StorageDescriptor?.SerdeInfo?.Parameters?.['mapping._name']).toBe(':name');
    const { Partitions } = await glue.send(
      new GetPartitionsCommand({ DatabaseName: database, TableName: 'raw_drift_items' }),
    );
    expect(Partitions?.map((p) => p.Values?.[4]).sort()).toEqual(['r1', 'r2']);
  });
});

/**
 * What a Hive-connector reader (Trino, so Athena) uses to read one partition: the partition's own
 * storage descriptor — its SerDe, the SerDe's parameters (`mapping.*`) and its columns — never the
 * table's.
 */
async function partitionReads(table: string) {
  const { Partitions } = await glue.send(
    new GetPartitionsCommand({ DatabaseName: database, TableName: table }),
  );
  return new Map(
    (Partitions ?? []).map((p) => {
      const sd = p.StorageDescriptor as StorageDescriptor;
      return [
        p.Values?.[4],
        {
          location: sd.Location,
          columns: sd.Columns?.map((c) => [c.Name, c.Type]),
          serde: sd.SerdeInfo?.SerializationLibrary,
          params: sd.SerdeInfo?.Parameters,
          inputFormat: sd.InputFormat,
          outputFormat: sd.OutputFormat,
          compressed: sd.Compressed,
        },
      ];
    }),
  );
}

async function tableDescriptor(table: string): Promise<StorageDescriptor> {
  const { Table } = await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
  return Table?.StorageDescriptor as StorageDescriptor;
}

describe('raw partitions read as a Hive-connector reader reads them (moto)', () => {
  const base = {
    glue,
    database,
    source: 'open-data',
    stream: 'complaints',
    bucket: 'raw',
    streamPrefix: 'nyc/complaints',
  };
  const at = (run: string) =>
    `s3://raw/nyc/complaints/import_year=2026/import_month=11/import_day=23/import_date=20261123/run_id=${run}/`;

  test("each partition carries the table's whole descriptor; a widening run brings the earlier ones along", async () => {
    // Act 1: a first run, Socrata-like system fields that need a mapping
    await registerRawTable({
      ...base,
      partition: partition('r1'),
      sample: [{ ':id': 'row-1', ':updated_at': '2026-11-01T00:00:00.000Z', count: 3, open: true }],
    });

    // Assess 1
    const firstColumns = [
      ['_id', 'string'],
      ['_updated_at', 'string'],
      ['count', 'bigint'],
      ['open', 'boolean'],
    ];
    let reads = await partitionReads('raw_open_data_complaints');
    expect(reads.get('r1')).toEqual({
      location: at('r1'),
      columns: firstColumns,
      serde: 'org.openx.data.jsonserde.JsonSerDe',
      params: {
        'ignore.malformed.json': 'FALSE',
        'case.insensitive': 'FALSE',
        'mapping._id': ':id',
        'mapping._updated_at': ':updated_at',
      },
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      compressed: true,
    });

    // Act 2: values that no longer fit the columns, and a new mapped field
    const second = await registerRawTable({
      ...base,
      partition: partition('r2'),
      sample: [
        { ':id': 'row-2', count: 2.5, open: 'unknown', ':version': 'rv-2' },
        { ':id': 'row-3', count: 4, open: null },
      ],
    });

    // Assess 2: the table widened, and every partition, the first run's too, reads as the table
    expect(second.added).toEqual(['_version']);
    expect(second.widened).toEqual([
      { column: 'count', from: 'bigint', to: 'double' },
      { column: 'open', from: 'boolean', to: 'string' },
    ]);
    expect(second.partitionsUpdated).toBe(1);
    const table = await tableDescriptor('raw_open_data_complaints');
    const widenedColumns = [
      ['_id', 'string'],
      ['_updated_at', 'string'],
      ['count', 'double'],
      ['open', 'string'],
      ['_version', 'string'],
    ];
    expect(table.Columns?.map((c) => [c.Name, c.Type])).toEqual(widenedColumns);
    reads = await partitionReads('raw_open_data_complaints');
    expect([...reads.keys()].sort()).toEqual(['r1', 'r2']);
    for (const run of ['r1', 'r2']) {
      expect(reads.get(run)).toMatchObject({
        location: at(run),
        columns: widenedColumns,
        serde: 'org.openx.data.jsonserde.JsonSerDe',
        params: table.SerdeInfo?.Parameters,
      });
      expect(reads.get(run)?.params).toMatchObject({
        'mapping._id': ':id',
        'mapping._updated_at': ':updated_at',
        'mapping._version': ':version',
      });
    }

    // Act 3: a later run that changes nothing updates no partition
    const third = await registerRawTable({ ...base, partition: partition('r3'), sample: [{ count: 1 }] });
    expect(third).toMatchObject({ added: [], widened: [], partitionsUpdated: 0 });
    expect((await partitionReads('raw_open_data_complaints')).get('r3')?.columns).toEqual(widenedColumns);
  });

  test('partitions registered before they carried the descriptor are brought along once, all of them, and columns named before the rule are renamed to it', async () => {
    // Prepare: a table and 120 partitions as the catalog held them before (`:id` read as `id`,
    // `orderDate` as `orderdate`; partitions with no columns, no mapping)
    const table = 'raw_legacy_rows';
    const tableSd = {
      Columns: [
        { Name: 'id', Type: 'string' },
        { Name: 'n', Type: 'bigint' },
        { Name: 'orderdate', Type: 'string' },
      ],
      Location: 's3://raw/legacy/rows/',
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      Compressed: true,
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: {
          'ignore.malformed.json': 'FALSE',
          'case.insensitive': 'FALSE',
          'mapping.id': ':id',
          'mapping.orderdate': 'orderDate',
        },
      },
    };
    await glue.send(
      new CreateTableCommand({
        DatabaseName: database,
        TableInput: {
          Name: table,
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: [...PARTITION_KEYS],
          StorageDescriptor: tableSd,
        },
      }),
    );
    const runs = Array.from({ length: 120 }, (_, i) => `old-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < runs.length; i += 100) {
      await glue.send(
        new BatchCreatePartitionCommand({
          DatabaseName: database,
          TableName: table,
          PartitionInputList: runs.slice(i, i + 100).map((run) => ({
            Values: ['2026', '11', '23', '20261123', run],
            StorageDescriptor: {
              Location: `s3://raw/legacy/rows/run_id=${run}/`,
              SerdeInfo: {
                SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
                Parameters: { 'ignore.malformed.json': 'FALSE' },
              },
            },
          })),
        }),
      );
    }

    // Act: a run whose records bring no new field or type
    const input = {
      glue,
      database,
      source: 'legacy',
      stream: 'rows',
      bucket: 'raw',
      streamPrefix: 'legacy/rows',
    };
    const result = await registerRawTable({
      ...input,
      partition: partition('new'),
      sample: [{ ':id': 'a', n: 1 }],
    });
    const again = await registerRawTable({
      ...input,
      partition: partition('newer'),
      sample: [{ ':id': 'b' }],
    });

    // Assess
    expect(result).toMatchObject({
      added: [],
      widened: [],
      renamed: [
        { from: 'id', to: '_id' },
        { from: 'orderdate', to: 'order_date' },
      ],
      partitionsUpdated: 120,
    });
    expect(again).toMatchObject({ renamed: [], partitionsUpdated: 0 });
    const renamedParams = {
      'ignore.malformed.json': 'FALSE',
      'case.insensitive': 'FALSE',
      'mapping._id': ':id',
      'mapping.order_date': 'orderDate',
    };
    expect((await tableDescriptor(table)).SerdeInfo?.Parameters).toEqual(renamedParams);
    const reads = await partitionReads(table);
    expect(reads.size).toBe(122);
    for (const [run, read] of reads) {
      expect(read.columns).toEqual([
        ['_id', 'string'],
        ['n', 'bigint'],
        ['order_date', 'string'],
      ]);
      expect(read.params).toEqual(renamedParams);
      expect(read.compressed).toBe(true);
      if (run?.startsWith('old-')) expect(read.location).toBe(`s3://raw/legacy/rows/run_id=${run}/`);
    }
  });

  test('a key already read by a column keeps it; a new key never takes over a mapped name', () => {
    const first = mergeSchema(undefined, [{ ID: 'x' }]);
    const change = mergeSchema(first.schema, [{ id: 7, ID: 'y' }]);
    expect(change.schema.columns.map((c) => [c.Name, c.Type])).toEqual([
      ['id', 'string'],
      ['id_2', 'bigint'],
    ]);
    expect(change.schema.mapping).toEqual({ id: 'ID', id_2: 'id' });
    expect(change.added).toEqual(['id_2']);
    // a field named like a partition key gets its own column, not the partition's
    expect(mergeSchema(undefined, [{ run_id: 'r' }]).schema.mapping).toEqual({ run_id_2: 'run_id' });
  });
});
