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
import { createHandler } from '@tributary/core';
import { captureOutput, createBucket, type FixtureApi } from '@tributary/testkit';
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
