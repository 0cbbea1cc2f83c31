/**
 * With `GLUE_DATABASE` set, a completed stream's raw table gets the run's partition in the Glue Data
 * Catalog (moto), columns inferred from the landed records; a catalog that fails does not fail the
 * run (the data and its manifest are the truth), and says so in the logs.
 */
import {
  CreateDatabaseCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { createHandler, defineSource } from '@tributary/core';
import { captureOutput, createBucket, type FixtureApi, startFixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-raw-catalog-test';
const database = 'landing_raw_catalog_test';
const glue = new GlueClient({});
const handler = createHandler(ordersSource());
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  api = await startOrdersApi(makeOrders(500), { pageSize: 100 });
  setHandlerEnv({ bucket, outputFolder: 'sales/orders-api', apiBaseUrl: api.url });
});
afterAll(async () => {
  delete process.env.GLUE_DATABASE;
  await api.close();
});

describe('raw tables', () => {
  it("registers the run's partition of raw_<source>_<stream> once the manifest landed", async () => {
    // Act
    process.env.GLUE_DATABASE = database;
    const runId = '2026-11-23T06-00-00Z-glue';
    const result = await handler({ runId, streams: ['orders'] }, budgetContext(Infinity));

    // Assess
    expect(result.status).toBe('complete');
    const { Table } = await glue.send(
      new GetTableCommand({ DatabaseName: database, Name: 'raw_orders_api_orders' }),
    );
    expect(Table?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual([
      'id',
      'updated_at',
      'name',
      'note',
    ]);
    expect(Table?.StorageDescriptor?.Location).toBe(`s3://${bucket}/sales/orders-api/orders/`);
    const { Partitions } = await glue.send(
      new GetPartitionsCommand({ DatabaseName: database, TableName: 'raw_orders_api_orders' }),
    );
    expect(Partitions?.map((p) => p.Values)).toEqual([['2026', '11', '23', '20261123', runId]]);
    // a Hive-connector reader reads the partition by its own descriptor: the table's, location aside
    expect(Partitions?.[0]?.StorageDescriptor).toEqual({
      ...Table?.StorageDescriptor,
      Location: `s3://${bucket}/sales/orders-api/orders/import_year=2026/import_month=11/import_day=23/import_date=20261123/run_id=${runId}/`,
    });
  });

  it("a SODA-shaped dataset's partitions read its mapped system fields, after a run that widens the table too", async () => {
    // Prepare: rows as Socrata sends them (`:id`, `:updated_at` need `mapping.*`), then a run
    // whose rows no longer fit the first run's types and bring a new system field
    let rows: Record<string, unknown>[] = Array.from({ length: 5 }, (_, i) => ({
      ':id': `row-${i}`,
      ':updated_at': `2026-11-01T00:00:0${i}.000Z`,
      count: i,
    }));
    const soda = await startFixtureApi((req) => {
      const offset = Number(req.query.get('$offset') ?? 0);
      const limit = Number(req.query.get('$limit') ?? 1000);
      return { body: rows.slice(offset, offset + limit) };
    });
    const sodaHandler = createHandler(
      defineSource({
        name: 'soda-like',
        baseUrl: 'https://soda.example.invalid',
        streams: {
          complaints: {
            path: '/resource/abcd-1234.json',
            paginator: { type: 'offset', offsetParam: '$offset', limitParam: '$limit', limit: 2 },
            primaryKey: ':id',
          },
        },
      }),
    );
    process.env.GLUE_DATABASE = database;
    const table = 'raw_soda_like_complaints';
    const readers = async () =>
      (
        await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: table }))
      ).Partitions?.map((p) => ({
        run: p.Values?.[4],
        columns: p.StorageDescriptor?.Columns?.map((c) => `${c.Name} ${c.Type}`),
        mapping: Object.entries(p.StorageDescriptor?.SerdeInfo?.Parameters ?? {})
          .filter(([k]) => k.startsWith('mapping.'))
          .sort(),
      })).sort((a, b) => String(a.run).localeCompare(String(b.run)));

    try {
      // Act 1
      process.env.API_BASE_URL = soda.url;
      await sodaHandler({ runId: '2026-11-23-soda-1' }, budgetContext(Infinity));

      // Assess 1
      expect(await readers()).toEqual([
        {
          run: '2026-11-23-soda-1',
          columns: ['_id string', '_updated_at string', 'count bigint'],
          mapping: [
            ['mapping._id', ':id'],
            ['mapping._updated_at', ':updated_at'],
          ],
        },
      ]);

      // Act 2
      rows = rows.map((r, i) => ({ ...r, count: i + 0.5, ':version': `rv-${i}` }));
      await sodaHandler({ runId: '2026-11-23-soda-2' }, budgetContext(Infinity));

      // Assess 2: both partitions, the first run's too, read the widened columns and every mapping
      const widened = {
        columns: ['_id string', '_updated_at string', 'count double', '_version string'],
        mapping: [
          ['mapping._id', ':id'],
          ['mapping._updated_at', ':updated_at'],
          ['mapping._version', ':version'],
        ],
      };
      expect(await readers()).toEqual([
        { run: '2026-11-23-soda-1', ...widened },
        { run: '2026-11-23-soda-2', ...widened },
      ]);
    } finally {
      process.env.API_BASE_URL = api.url;
      await soda.close();
    }
  });

  it('a catalog failure is logged, and the run still completes', async () => {
    // Prepare: a database that does not exist
    process.env.GLUE_DATABASE = 'no_such_database';
    const output = captureOutput();

    // Act
    let status: string;
    try {
      status = (
        await handler({ runId: '2026-11-23T07-00-00Z-noglue', streams: ['orders'] }, budgetContext(Infinity))
      ).status;
    } finally {
      output.restore();
    }

    // Assess
    expect(status).toBe('complete');
    const line = output
      .text()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l.message === 'raw table partition not registered');
    expect(line).toMatchObject({
      level: 'ERROR',
      stream: 'orders',
      table: 'no_such_database.raw_orders_api_orders',
    });
  });
});
