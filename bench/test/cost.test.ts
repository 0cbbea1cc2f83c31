import { describe, expect, it } from 'vitest';
import { costPerMillion, glueCost, loadPrices, type PriceList } from '../cost/cost.ts';
import { classify } from '../ingest/countingProxy.ts';

const prices: PriceList = {
  ...loadPrices(),
  region: 'test',
  regions: {
    test: {
      lambdaArmPerGbSecond: 0.00001,
      lambdaPerMillionRequests: 0.2,
      s3PutPer1000: 0.005,
      s3GetPer1000: 0.0004,
      glueDpuHour: 0.36,
      glueMinimumSeconds: 60,
      secretsManagerPer10000Calls: 0.05,
      dynamodbPerMillionWrites: 1,
      dynamodbPerMillionReads: 0.25,
    },
  },
  model: {
    lambdaMemoryMb: 256,
    lambdaArchitecture: 'arm64',
    lambdaTimeoutSeconds: 900,
    lambdaSafetyMarginSeconds: 60,
    mbPerVcpu: 1024,
    glueWorkers: 2,
    glueDpuPerWorker: 1,
    secretsManagerCallsPerInvocation: 1,
    dynamodbUnitsPerCall: 1,
  },
};

describe('costPerMillion', () => {
  it('bills the wall time when waiting dominates, scaled to 1M records, with the requests it made', () => {
    const row = costPerMillion(
      {
        label: 'x',
        records: 100_000,
        wallSeconds: 100,
        cpuSeconds: 1,
        awsCalls: { 's3.UploadPart': 3, 's3.GetObject': 1 },
        secrets: true,
      },
      prices,
    );
    expect(row.lambdaSeconds).toBe(1000);
    expect(row.cpuBound).toBe(false);
    expect(row.gbSeconds).toBe(250);
    expect(row.invocations).toBe(2); // 1000 s over 840 s a run
    expect(row.s3Puts).toBe(30);
    expect(row.s3Gets).toBe(10);
    expect(row.secretsCalls).toBe(2);
    expect(row.lambdaUsd).toBeCloseTo(250 * 0.00001 + 2 * 0.2e-6, 12);
  });

  it('at a quarter of a vCPU, CPU seconds become four times as many seconds of duration', () => {
    const row = costPerMillion({ label: 'x', records: 1e6, wallSeconds: 5, cpuSeconds: 10 }, prices);
    expect(row.lambdaSeconds).toBe(40);
    expect(row.cpuBound).toBe(true);
    expect(row.secretsCalls).toBe(0);
  });

  it('scales requests counted at another size, or per invocation', () => {
    const base = {
      label: 'x',
      records: 1000,
      wallSeconds: 1,
      cpuSeconds: 0,
      awsCalls: { 's3.PutObject': 4 },
    };
    expect(costPerMillion({ ...base, callsScale: { callsRecords: 100_000 } }, prices).s3Puts).toBe(40);
    // 1000 s of duration for 1M records: 2 invocations, each making the 4 requests.
    expect(costPerMillion({ ...base, callsScale: 'perInvocation' }, prices).s3Puts).toBe(8);
  });
});

describe('costPerMillion for a fan-out', () => {
  it('prices the coordination store calls, scaled, and bills at least one invocation per slice', () => {
    const row = costPerMillion(
      {
        label: 'x',
        records: 10_000,
        wallSeconds: 8,
        cpuSeconds: 0,
        awsCalls: { 'dynamodb.write': 120, 'dynamodb.read': 8 },
        minInvocations: 8,
      },
      prices,
    );
    expect(row.invocations).toBe(8); // 800 s of duration would fit in one
    expect([row.dynamodbWrites, row.dynamodbReads]).toEqual([12_000, 800]);
    expect(row.dynamodbUsd).toBeCloseTo((12_000 * 1 + 800 * 0.25) / 1e6, 12);
    expect(row.totalUsd).toBeCloseTo(row.lambdaUsd + row.s3Usd + row.secretsUsd + row.dynamodbUsd, 12);
  });
});

describe('glueCost', () => {
  it('scales to 1M records and bills at least the minimum, per worker', () => {
    expect(glueCost(30, 1e6, prices).dpuSeconds).toBe(120);
    expect(glueCost(90, 500_000, prices)).toEqual({ dpuSeconds: 360, usd: 0.036 });
  });
});

describe('classify', () => {
  it('names S3 and JSON-protocol requests by kind', () => {
    expect(classify('PUT', '/b/k?partNumber=1&uploadId=u', {})).toBe('s3.UploadPart');
    expect(classify('PUT', '/b/k', {})).toBe('s3.PutObject');
    expect(classify('POST', '/b/k?uploads', {})).toBe('s3.CreateMultipartUpload');
    expect(classify('POST', '/b/k?uploadId=u', {})).toBe('s3.CompleteMultipartUpload');
    expect(classify('GET', '/b?list-type=2&prefix=x', {})).toBe('s3.ListObjects');
    expect(classify('GET', '/b/k/part-00000.ndjson.gz', {})).toBe('s3.GetObject');
    expect(classify('POST', '/', { 'x-amz-target': 'secretsmanager.GetSecretValue' })).toBe('secretsmanager');
    expect(classify('POST', '/', { 'x-amz-target': 'DynamoDB_20120810.GetItem' })).toBe('dynamodb.read');
    expect(classify('POST', '/', { 'x-amz-target': 'DynamoDB_20120810.PutItem' })).toBe('dynamodb.write');
  });
});
