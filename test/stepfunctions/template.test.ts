// biome-ignore-all lint/suspicious/noExplicitAny: the template is untyped JSON; the assertions check its shape
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings
/**
 * The packaged CloudFormation template (sls package --stage dev, offline): functions, least
 * privilege per source, buckets, schedule, Glue, the state machine's own role.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RETRYABLE_ERROR_NAMES } from '@tributary/core';
import { type CloudFormationTemplate, packagedGlueJob } from '@tributary/local-pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { allows, roleStatements, type Statement } from './support/iam.ts';
import {
  camelCase,
  packaged,
  pascalCase,
  registeredSources,
  repoRoot,
  resolved,
  stateMachine,
  template,
} from './support/packaged.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-2';
const RAW = `tributary-dev-raw-${ACCOUNT}-${REGION}`;
const CURATED = `tributary-dev-curated-${ACCOUNT}-${REGION}`;
const SCRIPTS = `tributary-dev-glue-scripts-${ACCOUNT}-${REGION}`;
const WRAPPER = 'scripts/lambda/node-flags.sh';

let t: CloudFormationTemplate;
let sources: string[];
const res = (id: string) => {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id} in the template`);
  return r as { Type: string; Properties: Record<string, any>; Condition?: string };
};
const ofType = (type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const statementsOf = (roleId: string) => resolved<Statement[]>(t, roleStatements(res(roleId)));

beforeAll(async () => {
  t = await template('dev');
  sources = registeredSources();
});

describe('sources', () => {
  it('registers every functions/<name>/function.yml, and only those, in custom.sources', () => {
    const withFunctionYml = readdirSync(join(repoRoot, 'functions')).filter((d) =>
      existsSync(join(repoRoot, 'functions', d, 'function.yml')),
    );
    expect([...sources].sort()).toEqual(withFunctionYml.sort());
    expect(sources).toEqual(expect.arrayContaining(['github', 'stripe', 'hotmart', 'socrata']));
    expect(
      ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    ).toEqual(sources.map((s) => `${pascalCase(s)}LambdaFunction`).sort());
  });

  it('gives each source a function named tributary-dev-<name> with the defaults and the environment', () => {
    for (const source of sources) {
      const fn = res(`${pascalCase(source)}LambdaFunction`).Properties;
      expect(fn.FunctionName).toBe(`tributary-dev-${source}`);
      expect(fn.Handler).toBe(`functions/${source}/src/handler.handler`);
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.MemorySize).toBe(256);
      expect(fn.Timeout).toBe(900);
      expect(fn.EphemeralStorage).toEqual({ Size: 512 });
      expect(fn.Role).toEqual({ 'Fn::GetAtt': [`${pascalCase(source)}Role`, 'Arn'] });
      const env = fn.Environment.Variables;
      // Absent only for a source without auth (none of the first four).
      if (env.SECRET_NAME !== undefined || ['github', 'stripe', 'hotmart', 'socrata'].includes(source)) {
        expect(env.SECRET_NAME).toBe(`api-credentials/${source}`);
      }
      expect(env.TARGET_S3_BUCKET_NAME).toEqual({ Ref: 'RawBucket' });
      expect(resolved(t, env.TARGET_S3_BUCKET_NAME)).toBe(RAW);
      expect(env.OUTPUT_FOLDER).toMatch(/^[a-z0-9][a-z0-9_/-]*$/);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(source);
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('Tributary');
      expect(env.GLUE_DATABASE).toBe('tributary_dev');
      expect(resolved(t, env.COORDINATION_TABLE)).toBe('tributary-dev-coordination');
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(env.AWS_LAMBDA_EXEC_WRAPPER).toBe(`/var/task/${WRAPPER}`);
    }
    expect(camelCase('casenotes-data')).toBe('casenotesData');
  });

  it("starts each function's Node through the wrapper in its zip, which adds the V8 flags", async () => {
    // Assess: the wrapper is in every function's zip, executable
    const dir = await packaged('dev');
    const modes = (zip: string) =>
      JSON.parse(
        execFileSync(join(repoRoot, '.venv/bin/python'), [
          '-c',
          'import json, sys, zipfile; print(json.dumps({i.filename: i.external_attr >> 16 for i in zipfile.ZipFile(sys.argv[1]).infolist()}))',
          zip,
        ]).toString(),
      ) as Record<string, number>;
    for (const source of sources) {
      const mode = modes(join(dir, `${source}.zip`))[WRAPPER];
      expect(mode, `${WRAPPER} in ${source}.zip`).toBeDefined();
      expect(mode! & 0o111).toBe(0o111);
    } // Act: run it as Lambda does, with the interpreter and its arguments
    const argv = execFileSync(join(repoRoot, WRAPPER), [
      process.execPath,
      '-e',
      'process.stdout.write(JSON.stringify(process.execArgv))',
    ]).toString();
    // Assess: the flags come right after the interpreter, the runtime's own arguments after them
    expect(JSON.parse(argv)).toEqual(['--initial-old-space-size=64', '-e', expect.any(String)]);
  });

  it('passes each source its own settings as per-stage params', () => {
    expect(res('GithubLambdaFunction').Properties.Environment.Variables.GITHUB_REPOSITORIES).toBe(
      'octocat/Hello-World',
    );
    const socrata = res('SocrataLambdaFunction').Properties.Environment.Variables;
    expect(socrata.SOCRATA_DOMAIN).toBe('data.cityofnewyork.us');
    expect(socrata.SOCRATA_DATASETS).toBeTypeOf('string');
  });
});

describe('least privilege per source', () => {
  const secretArn = (name: string) =>
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:api-credentials/${name}-AbC123`;
  const object = (key: string) => `arn:aws:s3:::${RAW}/${key}`;
  const folderOf = (source: string) =>
    res(`${pascalCase(source)}LambdaFunction`).Properties.Environment.Variables.OUTPUT_FOLDER as string;

  it('reads only its own secret', () => {
    for (const source of sources) {
      const st = statementsOf(`${pascalCase(source)}Role`);
      const hasSecret = res(`${pascalCase(source)}LambdaFunction`).Properties.Environment.Variables
        .SECRET_NAME;
      expect(allows(st, 'secretsmanager:GetSecretValue', secretArn(source)), source).toBe(
        hasSecret !== undefined,
      );
      for (const other of sources.filter((s) => s !== source)) {
        expect(allows(st, 'secretsmanager:GetSecretValue', secretArn(other)), `${source} → ${other}`).toBe(
          false,
        );
      }
      // A secret whose name merely starts with the source's name is another secret.
      expect(allows(st, 'secretsmanager:GetSecretValue', secretArn(`${source}x`))).toBe(false);
      expect(allows(st, 'secretsmanager:ListSecrets', '*')).toBe(false);
    }
  });

  it('writes only under its OUTPUT_FOLDER and its _state/ keys', () => {
    for (const source of sources) {
      const st = statementsOf(`${pascalCase(source)}Role`);
      const folder = folderOf(source);
      const part = `${folder}/issues/import_year=2026/import_month=11/import_day=23/import_date=20261123/run_id=r1/part-00000.ndjson.gz`;
      for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload']) {
        expect(allows(st, action, object(part)), `${source} ${action}`).toBe(true);
        expect(allows(st, action, object(`_state/${folder}/issues.json`)), `${source} ${action} state`).toBe(
          true,
        );
      }
      for (const other of sources.filter((s) => s !== source)) {
        const otherFolder = folderOf(other);
        expect(
          allows(st, 's3:PutObject', object(`${otherFolder}/x/part.ndjson.gz`)),
          `${source}→${other}`,
        ).toBe(false);
        expect(allows(st, 's3:PutObject', object(`_state/${otherFolder}/x.json`))).toBe(false);
        expect(allows(st, 's3:GetObject', object(`_state/${otherFolder}/x.json`))).toBe(false);
      }
      expect(allows(st, 's3:PutObject', object(`${folder}-other/x`))).toBe(false);
      expect(allows(st, 's3:PutObject', `arn:aws:s3:::${CURATED}/${folder}/x`)).toBe(false);
      expect(allows(st, 's3:DeleteBucket', `arn:aws:s3:::${RAW}`)).toBe(false);
      // Listing: its own prefixes only.
      expect(allows(st, 's3:ListBucket', `arn:aws:s3:::${RAW}`, { 's3:prefix': `${folder}/issues/` })).toBe(
        true,
      );
      expect(allows(st, 's3:ListBucket', `arn:aws:s3:::${RAW}`, { 's3:prefix': `_state/${folder}/` })).toBe(
        true,
      );
      expect(allows(st, 's3:ListBucket', `arn:aws:s3:::${RAW}`, { 's3:prefix': '' })).toBe(false);
      const other = sources.find((s) => s !== source)!;
      expect(allows(st, 's3:ListBucket', `arn:aws:s3:::${RAW}`, { 's3:prefix': `${folderOf(other)}/` })).toBe(
        false,
      );
    }
  });

  it('touches only its own raw tables in the catalog, writes its own log group, and never uses wildcard actions', () => {
    for (const source of sources) {
      const st = statementsOf(`${pascalCase(source)}Role`);
      const table = (name: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:table/tributary_dev/${name}`;
      const rawName = `raw_${source.replaceAll('-', '_')}_issues`;
      expect(allows(st, 'glue:CreateTable', table(rawName))).toBe(true);
      expect(allows(st, 'glue:BatchCreatePartition', table(rawName))).toBe(true);
      // a widened table brings its partitions along (packages/core/src/catalog/rawTable.ts)
      expect(allows(st, 'glue:BatchUpdatePartition', table(rawName))).toBe(true);
      expect(allows(st, 'glue:UpdatePartition', table(rawName))).toBe(true);
      const other = sources.find((s) => s !== source)!;
      expect(allows(st, 'glue:UpdateTable', table(`raw_${other.replaceAll('-', '_')}_issues`))).toBe(false);
      expect(allows(st, 'glue:UpdateTable', table(`${source}_issues`))).toBe(false);
      expect(allows(st, 'glue:DeleteTable', table(rawName))).toBe(false);
      const logs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/tributary-dev-${source}:log-stream:x`;
      expect(allows(st, 'logs:PutLogEvents', logs)).toBe(true);
      expect(
        allows(
          st,
          'logs:PutLogEvents',
          `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/tributary-dev-${other}:x`,
        ),
      ).toBe(false);
      for (const s of st) for (const a of [s.Action].flat()) expect(a).not.toMatch(/\*/);
    }
  });
});

describe('coordination store', () => {
  const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/tributary-dev-coordination`;

  it('is one on-demand table, encrypted, with point-in-time recovery and TTL on exp', () => {
    const p = res('CoordinationTable').Properties;
    expect(res('CoordinationTable').Type).toBe('AWS::DynamoDB::Table');
    expect(p.TableName).toBe('tributary-dev-coordination');
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'exp', Enabled: true });
  });

  it('lets each source read and write only the items under its own name', () => {
    for (const source of sources) {
      const st = statementsOf(`${pascalCase(source)}Role`);
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem']) {
        expect(allows(st, action, TABLE, { 'dynamodb:LeadingKeys': source }), `${source} ${action}`).toBe(
          true,
        );
        for (const other of sources.filter((s) => s !== source))
          expect(allows(st, action, TABLE, { 'dynamodb:LeadingKeys': other }), `${source}→${other}`).toBe(
            false,
          );
        // exactly its name: not one another source's name merely starts with
        expect(allows(st, action, TABLE, { 'dynamodb:LeadingKeys': `${source}x` })).toBe(false);
        expect(allows(st, action, TABLE, { 'dynamodb:LeadingKeys': `${source},other` })).toBe(false);
        expect(allows(st, action, TABLE)).toBe(false);
      }
      for (const action of [
        'dynamodb:Scan',
        'dynamodb:Query',
        'dynamodb:DeleteTable',
        'dynamodb:BatchGetItem',
      ])
        expect(allows(st, action, TABLE, { 'dynamodb:LeadingKeys': source }), `${source} ${action}`).toBe(
          false,
        );
      expect(allows(st, 'dynamodb:GetItem', `${TABLE}-other`, { 'dynamodb:LeadingKeys': source })).toBe(
        false,
      );
    }
  });
});

describe('buckets', () => {
  it('names the raw, curated and scripts buckets per stage, account and region', () => {
    expect(resolved(t, res('RawBucket').Properties.BucketName)).toBe(RAW);
    expect(resolved(t, res('CuratedBucket').Properties.BucketName)).toBe(CURATED);
    expect(resolved(t, res('GlueScriptsBucket').Properties.BucketName)).toBe(SCRIPTS);
    expect(res('RawBucket').Properties.BucketName).toEqual({
      'Fn::Sub': 'tributary-dev-raw-${AWS::AccountId}-${AWS::Region}',
    });
  });

  it.each(['RawBucket', 'CuratedBucket', 'GlueScriptsBucket'])(
    '%s: encrypted, versioned, private, TLS-only',
    (id) => {
      const p = res(id).Properties;
      expect(
        p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
      ).toBe('AES256');
      expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const [, policy] = ofType('AWS::S3::BucketPolicy').find(
        ([, r]) => (r.Properties as any).Bucket.Ref === id,
      )!;
      const st = resolved<Statement[]>(t, (policy.Properties as any).PolicyDocument.Statement);
      const arn = `arn:aws:s3:::${resolved(t, { Ref: id })}`;
      const deny = st.find((s) => s.Effect === 'Deny')!;
      expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': false } });
      expect([deny.Resource].flat()).toEqual([arn, `${arn}/*`]);
      expect([deny.Action].flat()).toEqual(['s3:*']);
      expect(st.filter((s) => s.Effect === 'Allow')).toEqual([]);
    },
  );

  it('ages raw parts to cheaper classes, expires noncurrent versions and aborts stale uploads', () => {
    const rules = res('RawBucket').Properties.LifecycleConfiguration.Rules as Record<string, any>[];
    expect(rules.every((r) => r.Status === 'Enabled')).toBe(true);
    expect(rules.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation === 1)).toBe(true);
    expect(rules.some((r) => r.NoncurrentVersionExpiration?.NoncurrentDays > 0)).toBe(true);
    expect(rules.flatMap((r) => r.Transitions ?? []).map((x) => x.StorageClass)).toEqual([
      'STANDARD_IA',
      'GLACIER_IR',
    ]);
    // The raw zone is history: nothing current expires.
    expect(rules.some((r) => r.ExpirationInDays !== undefined)).toBe(false);
  });
});

describe('schedule', () => {
  it('starts the state machine at 06:00 UTC daily with every source named, disabled in dev', async () => {
    const [[, rule]] = ofType('AWS::Events::Rule') as [[string, any]];
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(rule.Properties.State).toBe('DISABLED');
    const target = rule.Properties.Targets[0];
    expect(target.Arn).toEqual({ Ref: 'IngestStateMachine' });
    // The schedule's role may start this state machine and nothing else.
    const scheduleRole = target.RoleArn['Fn::GetAtt'][0];
    expect(roleStatements(res(scheduleRole))).toEqual([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: { Ref: 'IngestStateMachine' } },
    ]);
    expect(JSON.parse(target.Input)).toEqual({ sources: sources });
  });

  it("is enabled in a stage that does not turn it off, with that stage's Map concurrency", async () => {
    const prod = await template('prod');
    const [[, rule]] = Object.entries(prod.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule') as [
      [string, any],
    ];
    expect(rule.Properties.State).toBe('ENABLED');
    const sm = await stateMachine('prod');
    expect((sm.definition.States.Ingest as { MaxConcurrency: number }).MaxConcurrency).toBe(8);
    expect(sm.name).toBe('tributary-prod-ingest');
  });
});

describe('Glue', () => {
  it('declares the database tributary_dev and the Glue 5.0 curate job reading the uploaded script', () => {
    expect(res('GlueDatabase').Properties.DatabaseInput.Name).toBe('tributary_dev');
    const job = resolved<Record<string, any>>(t, res('CurateJob').Properties);
    expect(job.Name).toBe('tributary-dev-curate');
    expect(job.GlueVersion).toBe('5.0');
    expect(job.Command).toEqual({
      Name: 'glueetl',
      PythonVersion: '3',
      ScriptLocation: `s3://${SCRIPTS}/glue-scripts/curate.py`,
    });
    expect(job.WorkerType).toBe('G.1X');
    expect(job.NumberOfWorkers).toBe(2);
    expect(job.ExecutionProperty).toEqual({ MaxConcurrentRuns: 1 });
    const args = job.DefaultArguments;
    expect(args['--datalake-formats']).toBe('iceberg');
    expect(args['--warehouse']).toBe(`s3://${CURATED}/warehouse/`);
    expect(args['--database']).toBe('tributary_dev');
    expect(args['--catalog']).toBe('glue');
    expect(args['--raw_root']).toBe(`s3://${RAW}/`);
    expect(args['--conf']).toContain('spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog');
    expect(args['--conf']).toContain(`spark.sql.catalog.glue_catalog.warehouse=s3://${CURATED}/warehouse/`);
    expect(args['--conf']).not.toMatch(/\n/);
    // What a local run of the job (the demo) starts from.
    expect(packagedGlueJob(t, 'tributary-dev-curate')).toMatchObject({
      scriptLocation: `s3://${SCRIPTS}/glue-scripts/curate.py`,
      defaultArguments: { '--database': 'tributary_dev', '--raw_root': `s3://${RAW}/` },
    });
  });

  it('lets the job read raw, write curated and its own catalog database only', () => {
    const st = statementsOf('CurateJobRole');
    expect(allows(st, 's3:GetObject', `arn:aws:s3:::${RAW}/github/x/part-00000.ndjson.gz`)).toBe(true);
    expect(allows(st, 's3:PutObject', `arn:aws:s3:::${RAW}/github/x`)).toBe(false);
    expect(allows(st, 's3:DeleteObject', `arn:aws:s3:::${RAW}/github/x`)).toBe(false);
    expect(allows(st, 's3:PutObject', `arn:aws:s3:::${CURATED}/warehouse/github_issues/data/x.parquet`)).toBe(
      true,
    );
    expect(
      allows(st, 'glue:UpdateTable', `arn:aws:glue:${REGION}:${ACCOUNT}:table/tributary_dev/github_issues`),
    ).toBe(true);
    expect(allows(st, 'glue:UpdateTable', `arn:aws:glue:${REGION}:${ACCOUNT}:table/other_db/t`)).toBe(false);
    expect(res('CurateJobRole').Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('state machine', () => {
  it("is named, runs the packaged definition with its own role, and retries the core's retryable errors", async () => {
    const sm = await stateMachine('dev');
    expect(sm.name).toBe('tributary-dev-ingest');
    expect(res('IngestStateMachine').Properties.RoleArn).toEqual({
      'Fn::GetAtt': ['StateMachineRole', 'Arn'],
    });
    expect(JSON.stringify(sm.definition)).not.toMatch(/JSONata|\$\{/);
    const ingest = sm.definition.States.Ingest as any;
    expect(ingest.MaxConcurrency).toBe(2);
    const invoke = ingest.ItemProcessor.States.InvokeSource;
    const retried = invoke.Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
    expect(retried).toEqual(
      expect.arrayContaining([
        ...RETRYABLE_ERROR_NAMES,
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'Lambda.SdkClientException',
      ]),
    );
    expect(sm.definition.States.Init).toMatchObject({ Parameters: { registered: sources } });
  });

  it("may invoke only this service and stage's functions and run only the curate job", () => {
    const st = statementsOf('StateMachineRole');
    const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    for (const source of sources)
      expect(allows(st, 'lambda:InvokeFunction', fn(`tributary-dev-${source}`))).toBe(true);
    expect(allows(st, 'lambda:InvokeFunction', fn('tributary-prod-github'))).toBe(false);
    expect(allows(st, 'lambda:InvokeFunction', fn('someone-elses-function'))).toBe(false);
    const job = (name: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:job/${name}`;
    expect(allows(st, 'glue:StartJobRun', job('tributary-dev-curate'))).toBe(true);
    expect(allows(st, 'glue:GetJobRun', job('tributary-dev-curate'))).toBe(true);
    expect(allows(st, 'glue:StartJobRun', job('another-job'))).toBe(false);
    expect(st.flatMap((s) => [s.Resource].flat())).not.toContain('*');
    // No role generated by the plugin with `*` grants.
    expect(t.Resources.IngestStateMachineRole).toBeUndefined();
  });

  it('alarms on failed executions through the SNS topic, mailing only when an address is set', () => {
    const alarm = res('ExecutionsFailedAlarm').Properties;
    expect(alarm.Namespace).toBe('AWS/States');
    expect(alarm.MetricName).toBe('ExecutionsFailed');
    expect(alarm.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: 'IngestStateMachine' } }]);
    expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(alarm.Threshold).toBe(1);
    expect(res('ExecutionsTimedOutAlarm').Properties).toMatchObject({
      MetricName: 'ExecutionsTimedOut',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(res('AlarmEmailSubscription').Condition).toBe('HasAlarmEmail');
    expect((t as any).Parameters.AlarmEmail.Default).toBe('');
  });
});
