/**
 * The local stand-in for a deployment: a moto server (S3, Secrets Manager, Glue catalog, DynamoDB)
 * with the raw and curated buckets, the coordination table, each source's secret
 * `api-credentials/<name>` and the Glue database the handlers register their raw tables in
 * (`tributary_dev`, as `GLUE_DATABASE`), and the sandbox API holding the credentials those secrets
 * carry; every other registered source against its own API double (doubles.ts), its secret
 * provisioned too. Sets the AWS SDK environment of this process
 * (`AWS_ENDPOINT_URL`, test credentials, region) so everything here talks to the emulator.
 */
import { type MotoServer, startMoto } from '@tributary/testkit';
import type { SourceName } from '../api.ts';
import { createSandbox, type Sandbox } from '../createSandbox.ts';
import type { SandboxOptions } from '../options.ts';
import { SOURCE_NAMES } from '../sources.ts';
import {
  type Doubles,
  type LeftOutSource,
  type MountedDouble,
  mountDoubles,
  registeredSources,
} from './doubles.ts';
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
  /**
   * More secrets, name → JSON object (`local:up --secret <source>=<json>` for a source the sandbox
   * does not serve). A name the sandbox's sources also use replaces their secret.
   */
  secrets?: Record<string, Record<string, string>>;
  /** The Glue database of the raw tables (serverless.yml's `custom.glueDatabase`). @default 'tributary_dev' */
  glueDatabase?: string;
  /** The stack `sls invoke local` looks up for `!Ref RawBucket`/`!Ref CuratedBucket`. @default 'tributary-dev' */
  stackName?: string;
  /** The registered sources: those the sandbox does not speak run against their doubles. @default serverless.yml's custom.sources */
  sources?: string[];
  /** The repository whose serverless.yml and functions/ name the sources and hold the doubles. @default this one */
  root?: string;
  /** Records each source double serves per stream. @default 500 */
  doubleRecords?: number;
}

export interface LocalStack {
  readonly sandbox: Sandbox;
  readonly moto: MotoServer;
  readonly rawBucket: string;
  readonly curatedBucket: string;
  readonly glueDatabase: string;
  /** The coordination store (`COORDINATION_TABLE` of `sls invoke local`, resolved from the stand-in stack). */
  readonly coordinationTable: string;
  /** `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`. */
  readonly awsEnv: Record<string, string>;
  /** The registered sources this stack was made for. */
  readonly registered: readonly string[];
  /** The registered sources served by their own doubles (not the sandbox's APIs). */
  readonly doubles: readonly MountedDouble[];
  /** Registered sources that cannot run here (no double), with the reason. */
  readonly leftOut: readonly LeftOutSource[];
  /** What a source's function needs on top of its configured environment to run here. */
  sourceEnv(source: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const rawBucket = options.rawBucket ?? 'tributary-dev-raw-local';
  const curatedBucket = options.curatedBucket ?? 'tributary-dev-curated-local';
  const glueDatabase = options.glueDatabase ?? 'tributary_dev';
  const coordinationTable = options.coordinationTable ?? 'tributary-dev-coordination-local';
  const moto = await startMoto(options.motoPort === undefined ? {} : { port: options.motoPort });
  let sandbox: Sandbox | undefined;
  let doubles: Doubles | undefined;
  try {
    const awsEnv = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: options.region ?? 'eu-west-2',
    };
    Object.assign(process.env, awsEnv);
    sandbox = await createSandbox(options.sandbox);
    const registered = options.sources ?? registeredSources(options.root);
    doubles = await mountDoubles(registered, {
      records: options.doubleRecords ?? 500,
      ...(options.root ? { root: options.root } : {}),
    });
    await provisionStack(
      options,
      { rawBucket, curatedBucket, coordinationTable, glueDatabase },
      sandbox,
      doubles,
    );
    const box = sandbox;
    const mounted = doubles;
    return {
      sandbox: box,
      moto,
      rawBucket,
      curatedBucket,
      glueDatabase,
      coordinationTable,
      awsEnv,
      registered,
      doubles: mounted.mounted,
      leftOut: mounted.leftOut,
      sourceEnv(source) {
        const env: Record<string, string> = { ...awsEnv, TARGET_S3_BUCKET_NAME: rawBucket };
        if ((SOURCE_NAMES as readonly string[]).includes(source)) {
          Object.assign(env, box.env(source as SourceName));
        }
        Object.assign(env, mounted.mounted.find((d) => d.source === source)?.env);
        return env;
      },
      async stop() {
        await Promise.allSettled([box.stop(), mounted.stop(), moto.stop()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([sandbox?.stop(), doubles?.stop(), moto.stop()]);
    throw error;
  }
}

/** The stand-in CloudFormation stack (its outputs), the buckets, the secrets and the Glue database. */
async function provisionStack(
  options: LocalStackOptions,
  names: { rawBucket: string; curatedBucket: string; coordinationTable: string; glueDatabase: string },
  sandbox: Sandbox,
  doubles: Doubles,
): Promise<void> {
  const { rawBucket, curatedBucket, coordinationTable, glueDatabase } = names;
  const region = options.region ?? 'eu-west-2';
  await createStandInStack({
    stackName: options.stackName ?? 'tributary-dev',
    buckets: { RawBucket: rawBucket, CuratedBucket: curatedBucket },
    tables: { CoordinationTable: coordinationTable },
    region,
  });
  const credentials = sandbox.credentials as unknown as Record<string, Record<string, string>>;
  await provision({
    buckets: [rawBucket, curatedBucket],
    secrets: {
      ...Object.fromEntries([
        ...SOURCE_NAMES.map((s) => [`api-credentials/${s}`, credentials[s] ?? {}] as const),
        ...doubles.mounted.flatMap((d) =>
          d.secret ? [[`api-credentials/${d.source}`, d.secret] as const] : [],
        ),
      ]),
      ...options.secrets,
    },
    glueDatabase,
    region,
  });
}
