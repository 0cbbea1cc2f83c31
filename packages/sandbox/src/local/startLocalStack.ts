/**
 * The local stand-in for a deployment: a moto server (S3, Secrets Manager, Glue catalog, DynamoDB)
 * with the raw and curated buckets, the coordination table and each source's secret `api-credentials/<name>`, and the sandbox API
 * holding the credentials those secrets carry. Sets the AWS SDK environment of this process
 * (`AWS_ENDPOINT_URL`, test credentials, region) so everything here talks to the emulator.
 */
import { type MotoServer, startMoto } from '@tributary/testkit';
import { SOURCE_NAMES } from '../api.ts';
import { createSandbox, type Sandbox } from '../createSandbox.ts';
import type { SandboxOptions } from '../options.ts';
import { provision } from './provision.ts';
import { createStandInStack } from './standInStack.ts';

export interface LocalStackOptions {
  sandbox?: SandboxOptions;
  /** @default a free port */
  motoPort?: number;
  /** @default 'tributary-dev-raw-local' */
  rawBucket?: string;
  /** @default 'tributary-dev-curated-local' */
  curatedBucket?: string;
  /** @default 'tributary-dev-coordination-local' */
  coordinationTable?: string;
  /** @default 'eu-west-2' */
  region?: string;
  /** The stack `sls invoke local` looks up for `!Ref RawBucket`/`!Ref CuratedBucket`. @default 'tributary-dev' */
  stackName?: string;
}

export interface LocalStack {
  readonly sandbox: Sandbox;
  readonly moto: MotoServer;
  readonly rawBucket: string;
  readonly curatedBucket: string;
  /** The coordination store (`COORDINATION_TABLE` of `sls invoke local`, resolved from the stand-in stack). */
  readonly coordinationTable: string;
  /** `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`. */
  readonly awsEnv: Record<string, string>;
  /** What a source's function needs on top of its configured environment to run here. */
  sourceEnv(source: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const rawBucket = options.rawBucket ?? 'tributary-dev-raw-local';
  const curatedBucket = options.curatedBucket ?? 'tributary-dev-curated-local';
  const coordinationTable = options.coordinationTable ?? 'tributary-dev-coordination-local';
  const moto = await startMoto(options.motoPort === undefined ? {} : { port: options.motoPort });
  let sandbox: Sandbox | undefined;
  try {
    const awsEnv = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: options.region ?? 'eu-west-2',
    };
    Object.assign(process.env, awsEnv);
    sandbox = await createSandbox(options.sandbox);
    await createStandInStack({
      stackName: options.stackName ?? 'tributary-dev',
      buckets: { RawBucket: rawBucket, CuratedBucket: curatedBucket },
      tables: { CoordinationTable: coordinationTable },
      region: awsEnv.AWS_REGION,
    });
    const credentials = sandbox.credentials as unknown as Record<string, Record<string, string>>;
    await provision({
      buckets: [rawBucket, curatedBucket],
      secrets: Object.fromEntries(SOURCE_NAMES.map((s) => [`api-credentials/${s}`, credentials[s] ?? {}])),
      region: awsEnv.AWS_REGION,
    });
    const box = sandbox;
    return {
      sandbox: box,
      moto,
      rawBucket,
      curatedBucket,
      coordinationTable,
      awsEnv,
      sourceEnv(source) {
        const env: Record<string, string> = { ...awsEnv, TARGET_S3_BUCKET_NAME: rawBucket };
        if ((SOURCE_NAMES as readonly string[]).includes(source)) {
          Object.assign(env, box.env(source as (typeof SOURCE_NAMES)[number]));
        }
        return env;
      },
      async stop() {
        await Promise.allSettled([box.stop(), moto.stop()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([sandbox?.stop(), moto.stop()]);
    throw error;
  }
}
