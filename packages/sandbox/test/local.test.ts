/**
 * The local pipeline kit's own parts: the stack (moto + sandbox + what a deployment has), the
 * packaged-template reader, the log tap, the curate runner's failure path. The whole path (real
 * handlers, state machine, curate.py) is asserted by test/e2e.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { listKeys } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurateFailedError,
  checkPrerequisites,
  type LocalStack,
  LogTap,
  readPackagedService,
  runCurate,
  startLocalStack,
} from '../src/local/index.ts';

describe('local kit: startLocalStack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      sandbox: { records: 5, faults: false },
      rawBucket: 'kit-raw',
      curatedBucket: 'kit-curated',
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  it('creates the buckets, the secrets the sources read, and the stand-in stack sls invoke local resolves', async () => {
    // Act: (startLocalStack in beforeAll)
    // Assess
    expect(process.env.AWS_ENDPOINT_URL).toBe(stack.moto.endpoint);
    expect(await listKeys('kit-raw')).toEqual([]);
    const secrets = new SecretsManagerClient({});
    const hotmart = await secrets.send(new GetSecretValueCommand({ SecretId: 'api-credentials/hotmart' }));
    expect(JSON.parse(hotmart.SecretString ?? '{}')).toEqual(stack.sandbox.credentials.hotmart);
    const cfn = new CloudFormationClient({});
    const resources = await cfn.send(new ListStackResourcesCommand({ StackName: 'tributary-dev' }));
    const byId = Object.fromEntries(
      (resources.StackResourceSummaries ?? []).map((r) => [r.LogicalResourceId, r.PhysicalResourceId]),
    );
    expect(byId).toMatchObject({
      RawBucket: 'kit-raw',
      CuratedBucket: 'kit-curated',
      CoordinationTable: 'tributary-dev-coordination-local',
    });
    // the coordination table is there, keyed as stepfunctions/resources/coordination.yml
    const table = await new DynamoDBClient({}).send(
      new DescribeTableCommand({ TableName: stack.coordinationTable }),
    );
    expect(table.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(stack.sourceEnv('hotmart')).toMatchObject({
      TARGET_S3_BUCKET_NAME: 'kit-raw',
      API_BASE_URL: stack.sandbox.url,
      AUTH_TOKEN_URL: stack.sandbox.tokenUrl,
    });
    expect(stack.sourceEnv('socrata').SOCRATA_DATASETS).toBe('erm2-nwe9,ydr8-5enu');
  });
});

describe('local kit: pieces', () => {
  it('reads the source functions and Glue defaults out of a packaged template, refs resolved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kit-template-'));
    try {
      await writeFile(
        join(dir, 'cloudformation-template-update-stack.json'),
        JSON.stringify({
          Resources: {
            GithubLambdaFunction: {
              Type: 'AWS::Lambda::Function',
              Properties: {
                FunctionName: 'tributary-dev-github',
                Handler: 'functions/github/src/handler.handler',
                Timeout: 900,
                Environment: {
                  Variables: {
                    TARGET_S3_BUCKET_NAME: { Ref: 'RawBucket' },
                    OUTPUT_FOLDER: 'github',
                    OTHER: { Ref: 'X' },
                  },
                },
              },
            },
            CurateJob: {
              Type: 'AWS::Glue::Job',
              Properties: {
                DefaultArguments: {
                  '--database': 'tributary_dev',
                  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a JS template
                  '--raw_root': { 'Fn::Sub': 's3://${RawBucket}/' },
                },
              },
            },
          },
        }),
      );
      const service = readPackagedService(dir, { raw: 'raw-b', curated: 'cur-b' });
      expect(service.functions).toEqual([
        {
          source: 'github',
          functionName: 'tributary-dev-github',
          handler: 'functions/github/src/handler.handler',
          timeoutSeconds: 900,
          environment: { TARGET_S3_BUCKET_NAME: 'raw-b', OUTPUT_FOLDER: 'github' },
        },
      ]);
      expect(service.glueDefaultArguments).toEqual({
        '--database': 'tributary_dev',
        '--raw_root': 's3://raw-b/',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('taps JSON log lines off stdout and lets other output through', async () => {
    const lines: unknown[] = [];
    const original = process.stdout.write;
    const tap = new LogTap((l) => lines.push(l)).start();
    let passedThrough: Promise<void> | undefined;
    try {
      process.stdout.write(`${JSON.stringify({ level: 'DEBUG', message: 'page landed', records: 3 })}\n`);
      // A plain line reaches the real stdout, which calls back once written.
      passedThrough = new Promise<void>((ok) =>
        process.stdout.write('{ not json, a plain line\n', () => ok()),
      );
    } finally {
      tap.stop();
    }
    await passedThrough;
    expect(process.stdout.write).toBe(original);
    expect(lines).toEqual([{ level: 'DEBUG', message: 'page landed', records: 3 }]);
  });

  it('finds the prerequisites of this machine in place', () => {
    expect(checkPrerequisites()).toEqual([]);
  });

  it('reports a failing curate.py with its own message', async () => {
    const run = runCurate({
      args: { '--run_id': 'x', '--warehouse': join(tmpdir(), 'kit-wh'), '--catalog': 'hadoop' },
    });
    await expect(run).rejects.toThrow(CurateFailedError);
    await expect(run).rejects.toThrow(/exited 1: give --manifests/);
  });
});
