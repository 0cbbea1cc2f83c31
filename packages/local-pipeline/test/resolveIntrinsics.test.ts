// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPackagedStateMachine, resolveIntrinsics, TemplateError } from '../src/index.ts';

const template = {
  Resources: {
    RawBucket: {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: { 'Fn::Sub': 'raw-${AWS::AccountId}-${AWS::Region}' } },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'svc-dev-github' } },
    Job: { Type: 'AWS::Glue::Job', Properties: { Name: 'svc-dev-curate' } },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: 'svc-dev-ingest',
        DefinitionString: {
          'Fn::Sub': [
            '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"fn":"${FnArn}","bucket":"${RawBucket}","arn":"${RawBucket.Arn}","job":"${Job}","p":"${AWS::Partition}"},"End":true}}}',
            { FnArn: { 'Fn::GetAtt': ['Fn', 'Arn'] } },
          ],
        },
      },
    },
  },
};

describe('resolveIntrinsics', () => {
  it('resolves Ref, GetAtt, Sub (with variables) and Join with deterministic fake values', () => {
    expect(resolveIntrinsics({ Ref: 'RawBucket' }, template)).toBe('raw-123456789012-eu-west-2');
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['RawBucket', 'Arn'] }, template)).toBe(
      'arn:aws:s3:::raw-123456789012-eu-west-2',
    );
    expect(
      resolveIntrinsics({ 'Fn::GetAtt': 'Fn.Arn' }, template, {
        accountId: '111122223333',
        region: 'us-east-1',
      }),
    ).toBe('arn:aws:lambda:us-east-1:111122223333:function:svc-dev-github');
    expect(resolveIntrinsics({ 'Fn::Join': ['/', [{ Ref: 'AWS::Region' }, { Ref: 'Job' }]] }, template)).toBe(
      'eu-west-2/svc-dev-curate',
    );
    expect(resolveIntrinsics({ Ref: 'Machine' }, template)).toBe(
      'arn:aws:states:eu-west-2:123456789012:stateMachine:svc-dev-ingest',
    );
  });

  it('evaluates conditions on parameter defaults; AWS::NoValue removes the property or item', () => {
    const withConditions = {
      ...template,
      Parameters: { Secret: { Default: 'db/creds' }, Connection: { Default: '' } },
      Conditions: {
        HasSecret: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Secret' }, ''] }] },
        HasConnection: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Connection' }, ''] }] },
        Both: { 'Fn::And': [{ Condition: 'HasSecret' }, { Condition: 'HasConnection' }] },
        Either: { 'Fn::Or': [{ Condition: 'HasSecret' }, { Condition: 'HasConnection' }] },
      },
    };
    const noValue = { Ref: 'AWS::NoValue' };
    expect(
      resolveIntrinsics(
        {
          '--pg_secret': { 'Fn::If': ['HasSecret', { Ref: 'Secret' }, noValue] },
          '--connection': { 'Fn::If': ['HasConnection', { Ref: 'Connection' }, noValue] },
          both: { 'Fn::If': ['Both', 'yes', 'no'] },
          either: { 'Fn::If': ['Either', 'yes', 'no'] },
          list: ['a', { 'Fn::If': ['HasConnection', 'b', noValue] }],
        },
        withConditions,
      ),
    ).toEqual({ '--pg_secret': 'db/creds', both: 'no', either: 'yes', list: ['a'] });
    expect(() => resolveIntrinsics({ 'Fn::If': ['Missing', 1, 2] }, withConditions)).toThrow(
      /condition Missing is not in the template's Conditions/,
    );
  });

  it('names what it cannot resolve', () => {
    expect(() => resolveIntrinsics({ Ref: 'Nope' }, template)).toThrow(/Nope, which is not a resource/);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, template)).toThrow(
      /Fn::ImportValue is not supported offline/,
    );
  });
});

describe('loadPackagedStateMachine', () => {
  it('reads the state machine from a packaged template and resolves its definition', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'packaged-'));
    writeFileSync(join(dir, 'cloudformation-template-update-stack.json'), JSON.stringify(template));

    const sm = await loadPackagedStateMachine(dir);

    expect(sm.name).toBe('svc-dev-ingest');
    expect(sm.logicalId).toBe('Machine');
    expect(sm.definition.States.A).toEqual({
      Type: 'Pass',
      Result: {
        fn: 'arn:aws:lambda:eu-west-2:123456789012:function:svc-dev-github',
        bucket: 'raw-123456789012-eu-west-2',
        arn: 'arn:aws:s3:::raw-123456789012-eu-west-2',
        job: 'svc-dev-curate',
        p: 'aws',
      },
      End: true,
    });
  });

  it('says where the template is missing and which state machines exist', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'packaged-'));
    await expect(loadPackagedStateMachine(empty)).rejects.toThrow(TemplateError);
    await expect(loadPackagedStateMachine(empty)).rejects.toThrow(
      /no packaged template at .*run packageService/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'packaged-'));
    writeFileSync(join(dir, 'cloudformation-template-update-stack.json'), JSON.stringify(template));
    await expect(loadPackagedStateMachine(dir, { stateMachine: 'other' })).rejects.toThrow(
      /no state machine other .* it has: Machine \(svc-dev-ingest\)/,
    );
  });
});
