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
import { GetDatabaseCommand, GetPartitionsCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHandler, defineSource } from '@tributary/core';
import { captureOutput, listKeys, startFixtureApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurateFailedError,
  checkPrerequisites,
  LocalFlagError,
  type LocalStack,
  LogTap,
  localShellEnv,
  parseSourceFlags,
  provision,
  readPackagedService,
  runCurate,
  startLocalStack,
} from '../src/local/index.ts';

describe('local kit: startLocalStack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      sandbox: { records: 5, faults: false },
      secrets: parseSourceFlags(['--secret', 'casenotes-data={"client_id":"cid","client_secret":"cs"}'])
        .secrets,
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

  it('gives each source its own endpoints in the shell, and a new source its secret and URLs from flags', async () => {
    // Prepare
    const flags = parseSourceFlags([
      '--no-faults',
      '--base-url',
      'casenotes-data=http://127.0.0.1:9001',
      '--token-url',
      'casenotes-data=http://127.0.0.1:9001/oauth/token',
    ]);

    // Act
    const env = localShellEnv(stack, flags);

    // Assess: no plain endpoint variable that every source would take
    expect(env).not.toHaveProperty('AUTH_TOKEN_URL');
    expect(env).not.toHaveProperty('API_BASE_URL');
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: stack.moto.endpoint,
      AWS_DEFAULT_REGION: 'eu-west-2',
      TARGET_S3_BUCKET_NAME: 'kit-raw',
      HOTMART_AUTH_TOKEN_URL: stack.sandbox.tokenUrl,
      HOTMART_API_BASE_URL: stack.sandbox.url,
      GITHUB_API_BASE_URL: stack.sandbox.url,
      CASENOTES_DATA_API_BASE_URL: 'http://127.0.0.1:9001',
      CASENOTES_DATA_AUTH_TOKEN_URL: 'http://127.0.0.1:9001/oauth/token',
    });
    expect(Object.keys(env).filter((k) => k.endsWith('_AUTH_TOKEN_URL'))).toEqual([
      'HOTMART_AUTH_TOKEN_URL',
      'CASENOTES_DATA_AUTH_TOKEN_URL',
    ]);
    const secret = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: 'api-credentials/casenotes-data' }),
    );
    expect(JSON.parse(secret.SecretString ?? '{}')).toEqual({ client_id: 'cid', client_secret: 'cs' });
  });

  it('refuses a flag it cannot use, saying what is wrong, without echoing a secret', () => {
    expect(() => parseSourceFlags(['--secret', 'casenotes-data'])).toThrow(
      /--secret needs --secret <source>=<json> \(got casenotes-data\)/,
    );
    expect(() => parseSourceFlags(['--secret', 'Casenotes=x'])).toThrow(/"Casenotes" is not a source name/);
    const bad = () => parseSourceFlags(['--secret', 'casenotes-data={"client_secret":"s3cr3t"']);
    expect(bad).toThrow(LocalFlagError);
    expect(bad).toThrow(/not JSON/);
    expect(bad).not.toThrow(/s3cr3t/);
    expect(() => parseSourceFlags(['--secret', 'casenotes-data={"n":1}'])).toThrow(
      /JSON object of string values/,
    );
    expect(() => parseSourceFlags(['--token-url', 'casenotes-data=/oauth/token'])).toThrow(
      /not an absolute URL/,
    );
  });

  it("creates the Glue database, so a local invoke registers the raw table's partition as in AWS", async () => {
    // Prepare: a source with no auth against a loopback API, GLUE_DATABASE as serverless.yml sets it
    const glue = new GlueClient({});
    const { Database } = await glue.send(new GetDatabaseCommand({ Name: 'tributary_dev' }));
    expect(Database?.Name).toBe(stack.glueDatabase);
    await provision({ buckets: [], secrets: {}, glueDatabase: stack.glueDatabase }); // idempotent
    const api = await startFixtureApi(() => ({ body: { data: [{ id: 1 }, { id: 2 }] } }));
    const handler = createHandler(
      defineSource({
        name: 'kit-notes',
        baseUrl: 'https://kit.example.invalid',
        auth: { type: 'none' },
        streams: { notes: { path: '/notes', records: 'data', primaryKey: 'id' } },
      }),
    );
    Object.assign(process.env, {
      TARGET_S3_BUCKET_NAME: stack.rawBucket,
      OUTPUT_FOLDER: 'kit-notes',
      API_BASE_URL: api.url,
      GLUE_DATABASE: stack.glueDatabase,
    });
    const output = captureOutput();
    const runId = '2026-11-23T06-00-00Z-kit';

    // Act
    try {
      expect((await handler({ runId })).status).toBe('complete');
    } finally {
      output.restore();
      await api.close();
      delete process.env.GLUE_DATABASE;
    }

    // Assess
    const { Partitions } = await glue.send(
      new GetPartitionsCommand({ DatabaseName: 'tributary_dev', TableName: 'raw_kit_notes_notes' }),
    );
    expect(Partitions?.map((p) => p.Values?.at(-1))).toEqual([runId]);
    expect(output.text()).not.toContain('"level":"ERROR"');
    expect(output.text()).toContain('raw table partition registered');
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
