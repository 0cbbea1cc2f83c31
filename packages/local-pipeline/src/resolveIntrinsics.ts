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
  return new Resolver(template, {
    accountId: fake.accountId ?? '123456789012',
    region: fake.region ?? 'eu-west-2',
    partition: fake.partition ?? 'aws',
    stackName: fake.stackName ?? 'local-stack',
  }).resolve(value);
}

/** The property that names a resource of each type (its `Ref`), else the logical id. */
const NAME_KEYS: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Glue::Job': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::DynamoDB::Table': 'TableName',
};

/** `Ref: AWS::NoValue` removes the property or list item that holds it. */
const NO_VALUE = Symbol('AWS::NoValue') as unknown as Json;

class Resolver {
  private readonly pseudo: Record<string, string>;

  constructor(
    private readonly template: CloudFormationTemplate,
    private readonly ctx: Required<FakeAwsContext>,
  ) {
    this.pseudo = {
      'AWS::AccountId': ctx.accountId,
      'AWS::Region': ctx.region,
      'AWS::Partition': ctx.partition,
      'AWS::StackName': ctx.stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
  }

  resolve(v: Json): Json {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x)).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v as Record<string, Json>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) return this.intrinsic(key, arg);
    }
    return Object.fromEntries(
      entries.map(([k, x]) => [k, this.resolve(x)]).filter(([, x]) => x !== NO_VALUE),
    );
  }

  /** One intrinsic function (or `Ref`, or a `Condition` reference) applied to its argument. */
  private intrinsic(key: string, arg: Json): Json {
    switch (key) {
      case 'Ref':
        return arg === 'AWS::NoValue' ? NO_VALUE : this.ref(String(arg));
      case 'Condition':
        return this.condition(String(arg));
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = arg as [string, Json, Json];
        return this.resolve(this.condition(name) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = arg as [Json, Json];
        return JSON.stringify(this.resolve(a)) === JSON.stringify(this.resolve(b));
      }
      case 'Fn::Not':
        return this.resolve((arg as Json[])[0]!) !== true;
      case 'Fn::And':
        return (arg as Json[]).every((x) => this.resolve(x) === true);
      case 'Fn::Or':
        return (arg as Json[]).some((x) => this.resolve(x) === true);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.', 2);
        return this.getAtt(String(id), String(attr));
      }
      case 'Fn::Sub': {
        if (typeof arg === 'string') return this.sub(arg, {});
        const [text, vars] = arg as [string, Record<string, Json>];
        return this.sub(text, vars ?? {});
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, Json[]];
        return (this.resolve(parts) as Json[]).map((p) => String(p)).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [Json, Json];
        return (this.resolve(list) as Json[])[Number(this.resolve(index))];
      }
      default:
        throw new TemplateError(`intrinsic ${key} is not supported offline`);
    }
  }

  private str(v: Json, where: string): string {
    const r = this.resolve(v);
    if (typeof r !== 'string' && typeof r !== 'number') {
      throw new TemplateError(`${where} resolves to ${JSON.stringify(r)}, expected a string`);
    }
    return String(r);
  }

  private resourceName(logicalId: string): string {
    const res = this.template.Resources[logicalId];
    if (!res) throw new TemplateError(`Ref/GetAtt to ${logicalId}, which is not a resource of the template`);
    const p = res.Properties ?? {};
    const nameKey = NAME_KEYS[res.Type];
    return nameKey && p[nameKey] !== undefined ? this.str(p[nameKey], `${logicalId}.${nameKey}`) : logicalId;
  }

  private arnOf(logicalId: string): string {
    const type = this.template.Resources[logicalId]?.Type;
    const name = this.resourceName(logicalId);
    const { partition: pt, region: rg, accountId: ac } = this.ctx;
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
  }

  private ref(name: string): string {
    if (name in this.pseudo) return this.pseudo[name]!;
    const param = this.template.Parameters?.[name];
    if (param) return this.str(param.Default, `parameter ${name}`);
    const type = this.template.Resources[name]?.Type;
    if (type === 'AWS::StepFunctions::StateMachine' || type === 'AWS::SNS::Topic') return this.arnOf(name);
    return this.resourceName(name);
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arnOf(logicalId);
    if (attribute === 'Name') return this.resourceName(logicalId);
    return `${this.resourceName(logicalId)}.${attribute}`;
  }

  private sub(text: string, vars: Record<string, Json>): string {
    return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
      if (name in vars) return this.str(vars[name], `Fn::Sub variable ${name}`);
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attr] = name.split('.', 2) as [string, string];
        return this.getAtt(id, attr);
      }
      return this.ref(name);
    });
  }

  private condition(name: string): boolean {
    const expression = this.template.Conditions?.[name];
    if (expression === undefined)
      throw new TemplateError(`condition ${name} is not in the template's Conditions`);
    return this.resolve(expression as Json) === true;
  }
}
