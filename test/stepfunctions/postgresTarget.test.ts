/**
 * The curate job's optional PostgreSQL target, wired by two stage params: off by default (no
 * argument, no module, no secret access, no connection); on with `postgresSecretName` (and
 * `glueConnectionName` for the database's VPC). cfn-lint passes on the template that turns it on.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageService, readTemplate, TEMPLATE_FILE } from '@tributary/local-pipeline';
import { describe, expect, it } from 'vitest';
import { repoRoot, template } from './support/packaged.ts';

const run = promisify(execFile);
const NO_VALUE = { Ref: 'AWS::NoValue' };

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
const job = (t: { Resources: Record<string, any> }) => t.Resources.CurateJob.Properties;
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
const roleStatements = (t: { Resources: Record<string, any> }) =>
  t.Resources.CurateJobRole.Properties.Policies[0].PolicyDocument.Statement;

describe('the curate job and PostgreSQL', () => {
  it('is off by default: both stack parameters default to empty, and the conditions test them', async () => {
    const dev = await template('dev');
    expect(dev.Parameters?.PostgresSecretName?.Default).toBe('');
    expect(dev.Parameters?.GlueConnectionName?.Default).toBe('');
    expect(dev.Conditions?.CurateToPostgres).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PostgresSecretName' }, ''] }],
    });
    expect(dev.Conditions?.CurateInVpc).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'GlueConnectionName' }, ''] }],
    });
  });

  it('is on with postgresSecretName: --pg_secret, psycopg, read access to that secret only, the connection', async () => {
    // Prepare / Act
    const { dir } = await packageService({
      stage: 'dev',
      cache: true,
      params: { postgresSecretName: 'curated-db/tributary', glueConnectionName: 'curated-db-vpc' },
    });
    const t = await readTemplate(dir);

    // Assess
    expect(t.Parameters?.PostgresSecretName?.Default).toBe('curated-db/tributary');
    expect(t.Parameters?.GlueConnectionName?.Default).toBe('curated-db-vpc');
    const args = job(t).DefaultArguments;
    expect(args['--pg_secret']).toEqual({
      'Fn::If': ['CurateToPostgres', { Ref: 'PostgresSecretName' }, NO_VALUE],
    });
    expect(args['--additional-python-modules']).toEqual({
      'Fn::If': ['CurateToPostgres', 'jsonschema==4.26.0,psycopg[binary]==3.3.9', 'jsonschema==4.26.0'],
    });
    expect(job(t).Connections).toEqual({
      'Fn::If': ['CurateInVpc', { Connections: [{ Ref: 'GlueConnectionName' }] }, NO_VALUE],
    });
    const secret = roleStatements(t).find((s: { 'Fn::If'?: unknown[] }) => s['Fn::If']);
    expect(secret['Fn::If'][0]).toBe('CurateToPostgres');
    expect(secret['Fn::If'][1]).toMatchObject({ Action: 'secretsmanager:GetSecretValue' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub placeholder
    expect(JSON.stringify(secret['Fn::If'][1].Resource)).toContain(':secret:${PostgresSecretName}-??????"');

    const lint = await run(join(repoRoot, '.venv/bin/cfn-lint'), [
      '--regions',
      'eu-west-2',
      '--ignore-checks',
      'W3005',
      '--',
      join(dir, TEMPLATE_FILE),
    ]).then(
      (r) => r.stdout + r.stderr,
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
    expect(lint).toBe('');
  }, 600_000);
});
