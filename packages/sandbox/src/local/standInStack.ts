/**
 * A stand-in for the deployed CloudFormation stack, in the emulator: just the resources the
 * functions' environment refers to (`TARGET_S3_BUCKET_NAME: !Ref RawBucket`, `COORDINATION_TABLE:
 * !Ref CoordinationTable`, the latter keyed as stepfunctions/resources/coordination.yml). `sls invoke local`
 * resolves such references by listing the stack's resources (`<service>-<stage>`), so with this
 * stack in moto it resolves them locally exactly as it does against a real deployment.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';

export interface StandInStackOptions {
  /** e.g. `tributary-dev` (`<service>-<stage>`). */
  stackName: string;
  /** Logical id → bucket name, e.g. `{ RawBucket: 'tributary-dev-raw-local' }`. */
  buckets: Record<string, string>;
  /** Logical id → coordination table name, e.g. `{ CoordinationTable: 'tributary-dev-coordination-local' }`. */
  tables?: Record<string, string>;
  region?: string;
}

export async function createStandInStack(options: StandInStackOptions): Promise<void> {
  const cfn = new CloudFormationClient({ region: options.region ?? process.env.AWS_REGION ?? 'eu-west-2' });
  try {
    const exists = await cfn.send(new DescribeStacksCommand({ StackName: options.stackName })).then(
      (r) => (r.Stacks ?? []).length > 0,
      () => false,
    );
    if (exists) return;
    const Resources = Object.fromEntries([
      ...Object.entries(options.buckets).map(([id, name]) => [
        id,
        { Type: 'AWS::S3::Bucket', Properties: { BucketName: name } },
      ]),
      ...Object.entries(options.tables ?? {}).map(([id, name]) => [
        id,
        {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: name,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
          },
        },
      ]),
    ]);
    await cfn.send(
      new CreateStackCommand({
        StackName: options.stackName,
        TemplateBody: JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources }),
      }),
    );
    await waitUntilStackCreateComplete(
      { client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
      { StackName: options.stackName },
    );
  } finally {
    cfn.destroy();
  }
}
