/**
 * Cost per million records, from a contender's measured CPU and wall time and the AWS requests it
 * made, priced with bench/prices.json (one dated file: re-price by editing it). Pure arithmetic.
 *
 * Lambda bills wall time (duration × memory), and at 256 MB gives a function 256/1769 of a vCPU:
 * a run that took `cpu` seconds on a whole core takes at least `cpu ÷ share` there. The estimate is
 * max(measured wall, CPU ÷ share), scaled to 1M records: optimistic when waiting and computing
 * don't overlap (then it is closer to their sum); README says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsCall } from '../ingest/countingProxy.ts';

export interface RegionPrices {
  lambdaArmPerGbSecond: number;
  lambdaPerMillionRequests: number;
  s3PutPer1000: number;
  s3GetPer1000: number;
  glueDpuHour: number;
  glueMinimumSeconds: number;
  secretsManagerPer10000Calls: number;
  /** On-demand write / read request units (a coordination store's call is 1 unit: items < 1 KB). */
  dynamodbPerMillionWrites: number;
  dynamodbPerMillionReads: number;
}

export interface PriceList {
  asOf: string;
  statement: string;
  region: string;
  sources: Record<string, string>;
  regions: Record<string, RegionPrices>;
  model: {
    lambdaMemoryMb: number;
    lambdaArchitecture: string;
    lambdaTimeoutSeconds: number;
    lambdaSafetyMarginSeconds: number;
    mbPerVcpu: number;
    glueWorkers: number;
    glueDpuPerWorker: number;
    secretsManagerCallsPerInvocation: number;
    /** Request units per DynamoDB call (the coordination items are far under 1 KB). */
    dynamodbUnitsPerCall: number;
  };
}

export function loadPrices(file = join(import.meta.dirname, '..', 'prices.json')): PriceList {
  const list = JSON.parse(readFileSync(file, 'utf8')) as PriceList;
  if (!list.regions[list.region])
    throw new Error(`${file}: region "${list.region}" has no prices under "regions"`);
  return list;
}

export interface Measured {
  label: string;
  records: number;
  wallSeconds: number;
  cpuSeconds: number;
  awsCalls?: Partial<Record<AwsCall, number>>;
  /**
   * How the AWS calls scale to 1M records: counted over `callsRecords` records (default `records`) and
   * scaled linearly, or `'perInvocation'`: counted in one small run and multiplied by the invocations
   * (for a run too small for its requests to say anything per record).
   */
  callsScale?: { callsRecords: number } | 'perInvocation';
  /** Whether the contender uses Secrets Manager per cold start (a source with credentials). */
  secrets?: boolean;
  /** The fewest invocations the scenario makes (a fan-out of N slices: N Lambdas at least). @default 1 */
  minInvocations?: number;
}

export interface CostRow {
  label: string;
  /** Lambda duration for 1M records, seconds (max(wall, CPU ÷ vCPU share), scaled). */
  lambdaSeconds: number;
  /** True when CPU, not waiting, set the duration. */
  cpuBound: boolean;
  gbSeconds: number;
  invocations: number;
  s3Puts: number;
  s3Gets: number;
  secretsCalls: number;
  /** DynamoDB calls (the coordination store: a shared rate budget's grants, leases). */
  dynamodbWrites: number;
  dynamodbReads: number;
  lambdaUsd: number;
  s3Usd: number;
  secretsUsd: number;
  dynamodbUsd: number;
  totalUsd: number;
}

const PUT_CLASS: AwsCall[] = [
  's3.PutObject',
  's3.CreateMultipartUpload',
  's3.UploadPart',
  's3.CompleteMultipartUpload',
  's3.ListObjects',
];
const GET_CLASS: AwsCall[] = ['s3.GetObject', 's3.HeadObject'];

export function costPerMillion(m: Measured, prices: PriceList): CostRow {
  const p = prices.regions[prices.region]!;
  const model = prices.model;
  const scale = 1e6 / m.records;
  const share = model.lambdaMemoryMb / model.mbPerVcpu;
  const cpuWall = m.cpuSeconds / share;
  const lambdaSeconds = Math.max(m.wallSeconds, cpuWall) * scale;
  const gbSeconds = lambdaSeconds * (model.lambdaMemoryMb / 1024);
  const perInvocation = model.lambdaTimeoutSeconds - model.lambdaSafetyMarginSeconds;
  const invocations = Math.max(m.minInvocations ?? 1, Math.ceil(lambdaSeconds / perInvocation));
  const callsFactor =
    m.callsScale === 'perInvocation' ? invocations : 1e6 / (m.callsScale?.callsRecords ?? m.records);
  const sum = (kinds: AwsCall[]) => kinds.reduce((s, k) => s + (m.awsCalls?.[k] ?? 0), 0) * callsFactor;
  const s3Puts = sum(PUT_CLASS);
  const s3Gets = sum(GET_CLASS);
  const secretsCalls = m.secrets ? invocations * model.secretsManagerCallsPerInvocation : 0;
  const lambdaUsd = gbSeconds * p.lambdaArmPerGbSecond + (invocations * p.lambdaPerMillionRequests) / 1e6;
  const s3Usd = (s3Puts * p.s3PutPer1000) / 1000 + (s3Gets * p.s3GetPer1000) / 1000;
  const secretsUsd = (secretsCalls * p.secretsManagerPer10000Calls) / 10_000;
  const dynamodbWrites = sum(['dynamodb.write']);
  const dynamodbReads = sum(['dynamodb.read']);
  const units = model.dynamodbUnitsPerCall;
  const dynamodbUsd =
    (dynamodbWrites * units * p.dynamodbPerMillionWrites +
      dynamodbReads * units * p.dynamodbPerMillionReads) /
    1e6;
  return {
    label: m.label,
    lambdaSeconds,
    cpuBound: cpuWall > m.wallSeconds,
    gbSeconds,
    invocations,
    s3Puts,
    s3Gets,
    secretsCalls,
    dynamodbWrites,
    dynamodbReads,
    lambdaUsd,
    s3Usd,
    secretsUsd,
    dynamodbUsd,
    totalUsd: lambdaUsd + s3Usd + secretsUsd + dynamodbUsd,
  };
}

/** Glue's curate of 1M records: DPU-seconds and price, from a measured wall time (local Spark). */
export function glueCost(wallSeconds: number, records: number, prices: PriceList) {
  const p = prices.regions[prices.region]!;
  const billed = Math.max(p.glueMinimumSeconds, wallSeconds * (1e6 / records));
  const dpuSeconds = billed * prices.model.glueWorkers * prices.model.glueDpuPerWorker;
  return { dpuSeconds, usd: (dpuSeconds / 3600) * p.glueDpuHour };
}
