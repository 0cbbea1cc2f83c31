/**
 * S3 refusing the raw zone, and a secret that is not there: errors that say what to do. A bucket that
 * does not exist (moto) or that the role may not use (an S3 double answering S3's documented
 * `403 AccessDenied` error body) is a fatal `StorageAccessError` naming the bucket and S3's error code,
 * which the state machine does not retry; a missing secret names the command that creates it, with the
 * keys the definition reads and no value.
 */
import { createHandler, defineSource } from '@tributary/core';
import { createBucket, type FixtureApi, listKeys, startFixtureApi } from '@tributary/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { budgetContext, setHandlerEnv } from './support/context.ts';
import { makeOrders, startOrdersApi } from './support/ordersApi.ts';
import { ordersSource } from './support/ordersSource.ts';

const bucket = 'landing-storage-errors-test';
const outputFolder = 'sales/orders-api';
const runId = '2026-11-23T06-00-00Z-storage';
const motoEndpoint = process.env.AWS_ENDPOINT_URL!;
let api: FixtureApi;

beforeAll(async () => {
  await createBucket(bucket);
  api = await startOrdersApi(makeOrders(10), { pageSize: 5 });
});
afterEach(() => {
  process.env.AWS_ENDPOINT_URL = motoEndpoint;
});
afterAll(() => api.close());

describe('a raw-zone bucket that cannot be used', () => {
  it('one that does not exist → StorageAccessError naming the bucket and NoSuchBucket, not retryable', async () => {
    // Prepare
    setHandlerEnv({ bucket: 'no-such-bucket-anywhere', outputFolder, apiBaseUrl: api.url });

    // Act
    const error = await createHandler(ordersSource())({ runId }, budgetContext(Infinity)).catch((e) => e);

    // Assess
    expect(error).toMatchObject({ name: 'StorageAccessError', retryable: false });
    expect(error.message).toContain('cannot read the run state s3://no-such-bucket-anywhere/');
    expect(error.message).toContain('S3 NoSuchBucket');
    expect(error.message).toContain('check TARGET_S3_BUCKET_NAME');
    expect(error.message).toContain('source orders-api');
    expect(api.requests).toEqual([]);
  });

  it('one the role may not use (403 AccessDenied) → StorageAccessError naming the bucket and AccessDenied', async () => {
    // Prepare: S3's documented error response (REST error responses: Code, Message, RequestId)
    const s3 = await startFixtureApi(() => ({
      status: 403,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>',
    }));
    process.env.AWS_ENDPOINT_URL = s3.url;
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
    try {
      // Act
      const error = await createHandler(ordersSource())({ runId }, budgetContext(Infinity)).catch((e) => e);

      // Assess
      expect(error).toMatchObject({ name: 'StorageAccessError', retryable: false });
      expect(error.message).toContain(`s3://${bucket}/${outputFolder}/`);
      expect(error.message).toContain('S3 AccessDenied');
      expect(error.message).toContain("the function's role may use only its own prefixes");
      expect(s3.requests.length).toBeGreaterThan(0);
    } finally {
      await s3.close();
      process.env.AWS_ENDPOINT_URL = motoEndpoint;
    }
    expect(api.requests).toEqual([]);
    expect(await listKeys(bucket)).toEqual([]);
  });

  it('a bucket that answers 500 stays a retryable SinkError, naming the code', async () => {
    const s3 = await startFixtureApi(() => ({
      status: 500,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
    }));
    process.env.AWS_ENDPOINT_URL = s3.url;
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url });
    try {
      const error = await createHandler(ordersSource())({ runId }, budgetContext(Infinity)).catch((e) => e);
      expect(error).toMatchObject({ name: 'SinkError', retryable: true });
      expect(error.message).toContain(`cannot read the run state s3://${bucket}/`);
      expect(error.message).toContain('S3 InternalError');
    } finally {
      await s3.close();
    }
  });
});

describe('a secret that does not exist', () => {
  it('→ SecretError with the create-secret command: the region, the keys the definition reads, no value', async () => {
    // Prepare
    const secretName = `api-credentials/orders-oauth-${process.pid}-${Date.now()}`;
    setHandlerEnv({ bucket, outputFolder, apiBaseUrl: api.url, secretName });
    const withOAuth = defineSource({
      name: 'orders-api',
      baseUrl: 'https://orders.example.invalid',
      auth: {
        type: 'oauth2ClientCredentials',
        tokenUrl: '/oauth/token',
        clientIdKey: 'client_id',
        clientSecretKey: 'client_secret',
      },
      streams: { orders: { path: '/orders' } },
    });

    // Act
    const error = await createHandler(withOAuth)({ runId }, budgetContext(Infinity)).catch((e) => e);

    // Assess
    expect(error).toMatchObject({ name: 'SecretError', retryable: false });
    expect(error.message).toContain(
      `secret "${secretName}" not found in Secrets Manager (${process.env.AWS_REGION}): create it with: aws secretsmanager create-secret --name ${secretName} --region ${process.env.AWS_REGION} --secret-string '{"client_id":"…","client_secret":"…"}'`,
    );
  });
});
