/**
 * Resolves the CloudFormation intrinsics of a packaged template offline, with deterministic fake
 * values: pseudo parameters from the options, `Ref`/`Fn::GetAtt` of resources from their own
 * properties (a bucket's `BucketName`, a function's `FunctionName`, …) or a fake ARN.
 * Enough for what serverless.yml produces: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select.
 */
import { TemplateError } from './errors.ts';

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
}

export interface FakeAwsContext {
  /** @default '123456789012' */
  accountId?: string;
  /** @default 'eu-west-2' */
  region?: string;
  /** @default 'aws' */
  partition?: string;
  /** @default 'local-stack' */
  stackName?: string;
}

type Json = unknown;

/** Returns `value` with every intrinsic replaced by a plain value. */
export function resolveIntrinsics(
  value: Json,
  template: CloudFormationTemplate,
  fake: FakeAwsContext = {},
): Json {
  const ctx = {
    accountId: fake.accountId ?? '123456789012',
    region: fake.region ?? 'eu-west-2',
    partition: fake.partition ?? 'aws',
    stackName: fake.stackName ?? 'local-stack',
  };
  const pseudo: Record<string, string> = {
    'AWS::AccountId': ctx.accountId,
    'AWS::Region': ctx.region,
    'AWS::Partition': ctx.partition,
    'AWS::StackName': ctx.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };

  const str = (v: Json, where: string): string => {
    const r = resolve(v);
    if (typeof r !== 'string' && typeof r !== 'number') {
      throw new TemplateError(`${where} resolves to ${JSON.stringify(r)}, expected a string`);
    }
    return String(r);
  };

  const resourceName = (logicalId: string): string => {
    const res = template.Resources[logicalId];
    if (!res) throw new TemplateError(`Ref/GetAtt to ${logicalId}, which is not a resource of the template`);
    const p = res.Properties ?? {};
    const nameKey = {
      'AWS::S3::Bucket': 'BucketName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::Glue::Job': 'Name',
      'AWS::StepFunctions::StateMachine': 'StateMachineName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::DynamoDB::Table': 'TableName',
    }[res.Type];
    return nameKey && p[nameKey] !== undefined ? str(p[nameKey], `${logicalId}.${nameKey}`) : logicalId;
  };

  const arnOf = (logicalId: string): string => {
    const type = template.Resources[logicalId]?.Type;
    const name = resourceName(logicalId);
    const { partition: pt, region: rg, accountId: ac } = ctx;
    switch (type) {
      case 'AWS::Lambda::Function':
        return `arn:${pt}:lambda:${rg}:${ac}:function:${name}`;
      case 'AWS::IAM::Role':
        return `arn:${pt}:iam::${ac}:role/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:${pt}:s3:::${name}`;
      case 'AWS::Glue::Job':
        return `arn:${pt}:glue:${rg}:${ac}:job/${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${pt}:states:${rg}:${ac}:stateMachine:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:${pt}:sns:${rg}:${ac}:${name}`;
      case 'AWS::DynamoDB::Table':
        return `arn:${pt}:dynamodb:${rg}:${ac}:table/${name}`;
      default:
        return `arn:${pt}:local:${rg}:${ac}:${logicalId}`;
    }
  };

  const ref = (name: string): string => {
    if (name in pseudo) return pseudo[name]!;
    const param = template.Parameters?.[name];
    if (param) return str(param.Default, `parameter ${name}`);
    const type = template.Resources[name]?.Type;
    if (type === 'AWS::StepFunctions::StateMachine' || type === 'AWS::SNS::Topic') return arnOf(name);
    return resourceName(name);
  };

  const getAtt = (logicalId: string, attribute: string): string => {
    if (attribute === 'Arn') return arnOf(logicalId);
    if (attribute === 'Name') return resourceName(logicalId);
    return `${resourceName(logicalId)}.${attribute}`;
  };

  const sub = (text: string, vars: Record<string, Json>): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
      if (name in vars) return str(vars[name], `Fn::Sub variable ${name}`);
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attr] = name.split('.', 2) as [string, string];
        return getAtt(id, attr);
      }
      return ref(name);
    });

  // `Ref: AWS::NoValue` removes the property or list item that holds it.
  const NO_VALUE = Symbol('AWS::NoValue') as unknown as Json;
  const condition = (name: string): boolean => {
    const expression = template.Conditions?.[name];
    if (expression === undefined)
      throw new TemplateError(`condition ${name} is not in the template's Conditions`);
    return resolve(expression as Json) === true;
  };

  function resolve(v: Json): Json {
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, Json>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      switch (key) {
        case 'Ref':
          return arg === 'AWS::NoValue' ? NO_VALUE : ref(String(arg));
        case 'Condition':
          return condition(String(arg));
        case 'Fn::If': {
          const [name, whenTrue, whenFalse] = arg as [string, Json, Json];
          return resolve(condition(name) ? whenTrue : whenFalse);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [Json, Json];
          return JSON.stringify(resolve(a)) === JSON.stringify(resolve(b));
        }
        case 'Fn::Not':
          return resolve((arg as Json[])[0]!) !== true;
        case 'Fn::And':
          return (arg as Json[]).every((x) => resolve(x) === true);
        case 'Fn::Or':
          return (arg as Json[]).some((x) => resolve(x) === true);
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.', 2);
          return getAtt(String(id), String(attr));
        }
        case 'Fn::Sub': {
          if (typeof arg === 'string') return sub(arg, {});
          const [text, vars] = arg as [string, Record<string, Json>];
          return sub(text, vars ?? {});
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json[]];
          return (resolve(parts) as Json[]).map((p) => String(p)).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [Json, Json];
          return (resolve(list) as Json[])[Number(resolve(index))];
        }
        default:
          if (key.startsWith('Fn::')) throw new TemplateError(`intrinsic ${key} is not supported offline`);
      }
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, resolve(x)]).filter(([, x]) => x !== NO_VALUE));
  }

  return resolve(value);
}
