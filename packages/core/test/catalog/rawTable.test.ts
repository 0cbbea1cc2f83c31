import {
  CreateDatabaseCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, test } from 'vitest';
import { columnName, inferColumns, registerRawTable } from '../../src/catalog/rawTable.ts';

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
  test('names are Glue-safe and collisions get a suffix instead of merging fields', () => {
    expect(columnName(':updated_at')).toBe('updated_at');
    expect(columnName('Total Price')).toBe('total_price');
    expect(columnName('2fa')).toBe('_2fa');
    const { columns, mapping } = inferColumns([{ ':id': 'row-1', id: 7, ID: 'x', 'a-b': true }]);
    expect(columns.map((c) => c.Name)).toEqual(['id', 'id_2', 'id_3', 'a_b']);
    expect(mapping).toEqual({ id: ':id', id_2: 'id', id_3: 'ID', a_b: 'a-b' });
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
    expect(first).toEqual({ table: 'raw_casenotes_data_notes', added: ['id', 'body', 'author'] });
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
      ['name', 'string'],
      ['extra', 'double'],
    ]);
    expect(Table?.StorageDescriptor?.SerdeInfo?.Parameters?.['mapping.name']).toBe(':name');
    const { Partitions } = await glue.send(
      new GetPartitionsCommand({ DatabaseName: database, TableName: 'raw_drift_items' }),
    );
    expect(Partitions?.map((p) => p.Values?.[4]).sort()).toEqual(['r1', 'r2']);
  });
});
