// biome-ignore-all lint/suspicious/noExplicitAny: the template is untyped JSON; the assertions check its shape
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings
/**
 * The packaged CloudFormation template (sls package --stage dev, offline): functions, least
 * privilege per source, buckets, schedule, Glue, the state machine's own role.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceDefinition } from '@tributary/core';
import { FATAL_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '@tributary/core/errors';
import { rawTableName } from '@tributary/core/raw-zone';
import { type CloudFormationTemplate, packagedGlueJob } from '@tributary/local-pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { render } from '../../scripts/new-source.ts';
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
/** A registered source's definition, loaded with its packaged function's environment. */
async function definitionOf(source: string): Promise<SourceDefinition> {
  const env = res(`${pascalCase(source)}LambdaFunction`).Properties.Environment.Variables;
  for (const [k, v] of Object.entries(env))
    if (typeof v === 'string' && !['NODE_OPTIONS', 'AWS_LAMBDA_EXEC_WRAPPER'].includes(k)) process.env[k] = v;
  const mod = await import(join(repoRoot, 'functions', source, 'src/source.ts'));
  return mod.source as SourceDefinition;
}

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
      // osls names each zip after the function's key: the camelCase of the source name.
      const zip = `${camelCase(source)}.zip`;
      expect(existsSync(join(dir, zip)), zip).toBe(true);
      const mode = modes(join(dir, zip))[WRAPPER];
      expect(mode, `${WRAPPER} in ${zip}`).toBeDefined();
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
      expect(allows(st, 'secretsmanager:GetSecretValue', secretArn(`${source}-enterprise`))).toBe(false);
      expect(
        allows(
          st,
          'secretsmanager:GetSecretValue',
          `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:api-credentials/${source}-x-AbC123`,
        ),
      ).toBe(false);
      expect(allows(st, 'secretsmanager:ListSecrets', '*')).toBe(false);
    }
  });

  it('writes its own secret back only with auth oauth2RefreshToken, and then that secret alone, with its RefreshTokenLost metric filter', async () => {
    for (const source of sources) {
      const st = statementsOf(`${pascalCase(source)}Role`);
      const rotating = (await definitionOf(source)).auth.type === 'oauth2RefreshToken';
      expect(allows(st, 'secretsmanager:PutSecretValue', secretArn(source)), source).toBe(rotating);
      for (const other of [...sources.filter((s) => s !== source), `${source}x`, `${source}-enterprise`])
        expect(allows(st, 'secretsmanager:PutSecretValue', secretArn(other)), `${source} → ${other}`).toBe(
          false,
        );
      for (const action of ['secretsmanager:UpdateSecret', 'secretsmanager:UpdateSecretVersionStage'])
        expect(allows(st, action, secretArn(source)), `${source} ${action}`).toBe(false);
      expect(Boolean(t.Resources[`${pascalCase(source)}RefreshTokenLostFilter`]), source).toBe(rotating);
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

  it("lists exactly its definition's raw tables, one per stream, and no table pattern", async () => {
    for (const source of sources) {
      const streams = Object.keys((await definitionOf(source)).streams);
      const tables = statementsOf(`${pascalCase(source)}Role`)
        .flatMap((s) => [s.Resource].flat())
        .filter((r) => r.includes(':glue:') && r.includes(':table/'));
      expect(tables.sort(), `${source}: functions/${source}/function.yml OwnRawTables`).toEqual(
        streams
          .map(
            (stream) =>
              `arn:aws:glue:${REGION}:${ACCOUNT}:table/tributary_dev/${rawTableName(source, stream)}`,
          )
          .sort(),
      );
    }
  });

  it("is in the state machine's slicedByDefault exactly when its definition declares backfill.slice", async () => {
    const declared: string[] = [];
    for (const source of sources) if ((await definitionOf(source)).backfill?.slice) declared.push(source);
    const sm = await stateMachine('dev');
    expect((sm.definition.States.Init as any).Parameters.slicedByDefault).toEqual(declared);
  });

  it('touches only its own raw tables in the catalog, writes its own log group, and never uses wildcard actions', async () => {
    for (const source of sources) {
      const st = statementsOf(`${pascalCase(source)}Role`);
      const table = (name: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:table/tributary_dev/${name}`;
      const firstStream = Object.keys((await definitionOf(source)).streams)[0]!;
      const rawName = rawTableName(source, firstStream);
      expect(allows(st, 'glue:CreateTable', table(rawName))).toBe(true);
      expect(allows(st, 'glue:BatchCreatePartition', table(rawName))).toBe(true);
      // a widened table brings its partitions along (packages/core/src/landing/catalog/rawTable.ts)
      expect(allows(st, 'glue:BatchUpdatePartition', table(rawName))).toBe(true);
      expect(allows(st, 'glue:UpdatePartition', table(rawName))).toBe(true);
      const other = sources.find((s) => s !== source)!;
      expect(allows(st, 'glue:UpdateTable', table(`raw_${other.replaceAll('-', '_')}_issues`))).toBe(false);
      expect(allows(st, 'glue:UpdateTable', table(`${source}_issues`))).toBe(false);
      expect(allows(st, 'glue:UpdateTable', table(rawTableName(`${source}-enterprise`, firstStream)))).toBe(
        false,
      );
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

describe('two sources whose names share a prefix: github and github-enterprise', () => {
  // github as packaged; github-enterprise as `pnpm new-source github-enterprise` would register it
  // (the generator's function.yml template), resolved against the same template.
  const generatedDoc = (name: string, flags: Record<string, boolean> = {}) => {
    const yml = render(
      readFileSync(join(repoRoot, 'scripts/templates/new-source/function.yml.tmpl'), 'utf8'),
      { name, key: camelCase(name), pascal: pascalCase(name), snake: name.replaceAll('-', '_') },
      { secret: true, ...flags },
    )
      .replaceAll('${self:service}', 'tributary')
      .replaceAll('${sls:stage}', 'dev')
      .replaceAll('${self:custom.glueDatabase}', 'tributary_dev');
    const doc = parse(yml, {
      customTags: [
        { tag: '!Sub', resolve: (v: string) => ({ 'Fn::Sub': v }) },
        { tag: '!GetAtt', resolve: (v: string) => ({ 'Fn::GetAtt': v.split('.') }) },
      ],
    });
    return doc;
  };
  const generated = (name: string, flags: Record<string, boolean> = {}) =>
    resolved<Statement[]>(
      t,
      roleStatements(generatedDoc(name, flags).resources.Resources[`${pascalCase(name)}Role`]),
    );
  const secret = (name: string) =>
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:api-credentials/${name}-AbC123`;
  const object = (key: string) => `arn:aws:s3:::${RAW}/${key}`;
  const table = (name: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:table/tributary_dev/${name}`;
  const reaches = (st: Statement[], name: string, stream: string) => ({
    secret: allows(st, 'secretsmanager:GetSecretValue', secret(name)),
    part: allows(st, 's3:PutObject', object(`${name}/${stream}/import_date=20261123/part-00000.ndjson.gz`)),
    state: allows(st, 's3:GetObject', object(`_state/${name}/${stream}.json`)),
    list: allows(st, 's3:ListBucket', `arn:aws:s3:::${RAW}`, { 's3:prefix': `${name}/${stream}/` }),
    listState: allows(st, 's3:ListBucket', `arn:aws:s3:::${RAW}`, { 's3:prefix': `_state/${name}/` }),
    table: allows(st, 'glue:UpdateTable', table(rawTableName(name, stream))),
    logs: allows(
      st,
      'logs:PutLogEvents',
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/tributary-dev-${name}:log-stream:x`,
    ),
  });
  const all = (v: boolean) => ({
    secret: v,
    part: v,
    state: v,
    list: v,
    listState: v,
    table: v,
    logs: v,
  });

  it("neither role reaches the other one's secret, prefixes, tables or logs; each reaches its own", () => {
    const github = statementsOf('GithubRole');
    const enterprise = generated('github-enterprise');

    expect(reaches(github, 'github', 'issues')).toEqual(all(true));
    expect(reaches(github, 'github-enterprise', 'issues')).toEqual(all(false));
    expect(reaches(enterprise, 'github-enterprise', 'items')).toEqual(all(true));
    expect(reaches(enterprise, 'github', 'items')).toEqual(all(false));
    // A stream name cannot smuggle one source's table into the other's: raw_github_enterprise_items
    // is not one of github's tables whatever github's streams are called.
    expect(allows(github, 'glue:UpdateTable', table('raw_github_enterprise_items'))).toBe(false);
  });

  it('a source with auth oauth2RefreshToken (the rotatingSecret blocks) writes back its own secret alone, and counts a lost refresh token for the alarm', () => {
    // Prepare: github-enterprise registered with the blocks auth/README.md says to add
    const doc = generatedDoc('github-enterprise', { rotatingSecret: true });
    const enterprise = generated('github-enterprise', { rotatingSecret: true });
    // Assess: PutSecretValue on exactly its own secret (the six characters Secrets Manager appends)
    expect(allows(enterprise, 'secretsmanager:PutSecretValue', secret('github-enterprise'))).toBe(true);
    expect(allows(enterprise, 'secretsmanager:PutSecretValue', secret('github'))).toBe(false);
    expect(allows(enterprise, 'secretsmanager:PutSecretValue', secret('github-enterprise-x'))).toBe(false);
    expect(allows(enterprise, 'secretsmanager:PutSecretValue', secret('github-enterprisex'))).toBe(false);
    expect(allows(enterprise, 'secretsmanager:PutSecretValue', '*')).toBe(false);
    expect(allows(statementsOf('GithubRole'), 'secretsmanager:PutSecretValue', secret('github'))).toBe(false);
    // …and otherwise the same role as without the blocks
    const without = (st: Statement[]) =>
      st.filter((s) => (s as { Sid?: string }).Sid !== 'OwnSecretRotation');
    expect(without(enterprise)).toEqual(generated('github-enterprise'));
    // The metric filter on its own log group feeds the alarm's metric, and the alarm mails the topic
    const filter = doc.resources.Resources.GithubEnterpriseRefreshTokenLostFilter;
    expect(filter.Type).toBe('AWS::Logs::MetricFilter');
    expect(filter.DependsOn).toBe('GithubEnterpriseLogGroup');
    expect(res('GithubLogGroup').Type).toBe('AWS::Logs::LogGroup'); // the framework's naming, that DependsOn follows
    expect(filter.Properties.LogGroupName).toBe('/aws/lambda/tributary-dev-github-enterprise');
    expect(filter.Properties.FilterPattern).toBe('"RefreshTokenLostError"');
    const alarm = res('RefreshTokenLostAlarm').Properties;
    expect(filter.Properties.MetricTransformations).toEqual([
      { MetricNamespace: alarm.Namespace, MetricName: alarm.MetricName, MetricValue: '1', Unit: 'Count' },
    ]);
    expect(alarm).toMatchObject({
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(FATAL_ERROR_NAMES).toContain('RefreshTokenLostError');
  });

  it("the generator's role is the same shape as github's (same statements, same actions)", () => {
    const sids = (st: Statement[]) => st.map((s) => [(s as { Sid?: string }).Sid, s.Action]);
    expect(sids(generated('github-enterprise'))).toEqual(sids(statementsOf('GithubRole')));
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
  it("logs every bucket's S3 access, the deployment bucket's included, to an encrypted, TLS-only, expiring log bucket", () => {
    const prefixes: Record<string, string> = {
      RawBucket: 'raw/',
      CuratedBucket: 'curated/',
      GlueScriptsBucket: 'glue-scripts/',
      ServerlessDeploymentBucket: 'deployment/',
    };
    for (const [bucket, prefix] of Object.entries(prefixes)) {
      expect(res(bucket).Properties.LoggingConfiguration, bucket).toEqual({
        DestinationBucketName: { Ref: 'AccessLogsBucket' },
        LogFilePrefix: prefix,
      });
    }
    const logs = res('AccessLogsBucket').Properties;
    expect(resolved(t, logs.BucketName)).toBe(`tributary-dev-access-logs-${ACCOUNT}-${REGION}`);
    expect(logs.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(Object.values(logs.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
    expect(logs.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Id: 'expire-access-logs', ExpirationInDays: 90 })]),
    );
    const policy = resolved<Statement[]>(
      t,
      res('AccessLogsBucketPolicy').Properties.PolicyDocument.Statement,
    );
    const logsArn = `arn:aws:s3:::tributary-dev-access-logs-${ACCOUNT}-${REGION}`;
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } }),
    );
    const delivery = policy.find(
      (st) => (st as { Sid?: string }).Sid === 'S3ServerAccessLogsFromThisStacksBuckets',
    )!;
    expect(delivery).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject', Resource: `${logsArn}/*` });
    expect(delivery.Condition!.ArnLike!['aws:SourceArn']).toEqual(
      expect.arrayContaining([`arn:aws:s3:::${RAW}`, `arn:aws:s3:::${CURATED}`, `arn:aws:s3:::${SCRIPTS}`]),
    );
    expect(delivery.Condition!.StringEquals).toEqual({ 'aws:SourceAccount': ACCOUNT });
  });

  it("keeps the framework's deployment bucket versioned, encrypted, TLS-only and private", () => {
    const b = res('ServerlessDeploymentBucket').Properties;
    expect(b.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(
      b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('AES256');
    expect(b.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(b.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
      ]),
    );
    expect(res('ServerlessDeploymentBucketPolicy').Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } }),
    );
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
  it('attaches a security configuration encrypting its S3 output (SSE-S3), logs and bookmarks (KMS, rotated)', () => {
    expect(res('CurateJob').Properties.SecurityConfiguration).toEqual({ Ref: 'CurateSecurityConfiguration' });
    const enc = res('CurateSecurityConfiguration').Properties.EncryptionConfiguration;
    const key = { 'Fn::GetAtt': ['GlueKey', 'Arn'] };
    expect(enc).toEqual({
      S3Encryptions: [{ S3EncryptionMode: 'SSE-S3' }],
      CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: key },
      JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: key },
    });
    expect(res('GlueKey').Properties.EnableKeyRotation).toBe(true);
    // CloudWatch Logs may use the key for Glue's log groups only; the job's role may use it.
    const keyPolicy = resolved<Statement[]>(t, res('GlueKey').Properties.KeyPolicy.Statement);
    const logsUse = keyPolicy.find(
      (st) => (st as { Sid?: string }).Sid === 'CloudWatchLogsForGlueLogGroups',
    )!;
    expect(logsUse.Condition!.ArnLike).toEqual({
      'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-glue/*`,
    });
    for (const st of keyPolicy)
      expect(JSON.stringify((st as { Principal?: unknown }).Principal)).not.toBe('"*"');
    const role = statementsOf('CurateJobRole');
    const keyArn = resolved<string>(t, key);
    expect(allows(role, 'kms:GenerateDataKey', keyArn)).toBe(true);
    expect(allows(role, 'kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/another`)).toBe(false);
    expect(
      allows(role, 'logs:AssociateKmsKey', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-glue/jobs/x`),
    ).toBe(true);
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
    // Each source's chain runs inside its slice Map (one slice when the run is not a sliced backfill).
    const invoke = ingest.ItemProcessor.States.Slices.ItemProcessor.States.InvokeSource;
    const retried = invoke.Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
    expect(retried).toEqual(
      expect.arrayContaining([
        ...RETRYABLE_ERROR_NAMES,
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'Lambda.SdkClientException',
      ]),
    );
    // A fatal error (e.g. StorageAccessError: a wrong bucket) is never retried, by name or by a catch-all.
    for (const name of FATAL_ERROR_NAMES) expect(retried).not.toContain(name);
    expect(retried).not.toContain('States.ALL');
    expect(retried).not.toContain('States.TaskFailed');
    expect(sm.definition.States.Init).toMatchObject({ Parameters: { registered: sources } });
  });

  it('logs failed executions at ERROR to its own log group, without execution data; traces with X-Ray per stage', async () => {
    const props = res('IngestStateMachine').Properties;
    expect(props.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [
        { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['IngestStateMachineLogGroup', 'Arn'] } } },
      ],
    });
    const group = res('IngestStateMachineLogGroup').Properties;
    expect(group).toEqual({
      LogGroupName: '/aws/vendedlogs/states/tributary-dev-ingest',
      RetentionInDays: 7,
    });
    // Log delivery's actions take no resource ARN: granted on * in a policy of their own (the
    // role's own policy stays scoped), nothing else; X-Ray only when tracing. The state machine
    // waits for that policy.
    const policyOf = (tpl: CloudFormationTemplate) => {
      const p = tpl.Resources.StateMachineObservabilityPolicy as any;
      expect(p.Properties.RoleName).toEqual({ Ref: 'StateMachineRole' });
      return resolved<Statement[]>(tpl, p.Properties.PolicyDocument.Statement).filter(Boolean);
    };
    const st = policyOf(t);
    expect(allows(st, 'logs:CreateLogDelivery', '*')).toBe(true);
    expect(
      allows(st, 'logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/x:*`),
    ).toBe(false);
    expect(allows(st, 'logs:DeleteLogGroup', '*')).toBe(false);
    expect(allows(st, 'lambda:InvokeFunction', '*')).toBe(false);
    expect(st.flatMap((s) => [s.Action].flat()).filter((a) => !a.startsWith('logs:'))).toEqual([]);
    expect([(t.Resources.IngestStateMachine as any).DependsOn].flat()).toContain(
      'StateMachineObservabilityPolicy',
    );
    expect(props.TracingConfiguration).toEqual({ Enabled: false });
    expect(allows(st, 'xray:PutTraceSegments', '*')).toBe(false);

    const prod = await template('prod');
    expect((prod.Resources.IngestStateMachine as any).Properties.TracingConfiguration).toEqual({
      Enabled: true,
    });
    expect(allows(policyOf(prod), 'xray:PutTraceSegments', '*')).toBe(true);
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
    // The run reports (ReadRunReport), and nothing else of the buckets.
    const curated = 'arn:aws:s3:::tributary-dev-curated-123456789012-eu-west-2';
    expect(allows(st, 's3:GetObject', `${curated}/_runs/2026-11-23-nightly.brief.json`)).toBe(true);
    expect(allows(st, 's3:GetObject', `${curated}/warehouse/tributary_dev/github_issues/x`)).toBe(false);
    expect(allows(st, 's3:PutObject', `${curated}/_runs/x.json`)).toBe(false);
    expect(allows(st, 's3:GetObject', 'arn:aws:s3:::tributary-dev-raw-123456789012-eu-west-2/_runs/x')).toBe(
      false,
    );
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

  it("alarms on any failed check and on drift under freeze, from the curate job's metrics, through the topic", () => {
    for (const [id, metric] of [
      ['ChecksFailedAlarm', 'ChecksFailed'],
      ['DriftUnderFreezeAlarm', 'DriftUnderFreeze'],
    ] as const) {
      const alarm = res(id).Properties;
      // the namespace and dimension glue-scripts/tributary_curate/metrics.py emits (its pytest asserts the lines)
      expect(alarm).toMatchObject({
        Namespace: 'Tributary',
        MetricName: metric,
        Dimensions: [{ Name: 'database', Value: 'tributary_dev' }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    }
    expect(res('DriftUnderFreezeAlarm').Properties.AlarmDescription).toContain('curateOnly');
  });
});
