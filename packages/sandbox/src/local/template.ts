/**
 * What the packaged CloudFormation template says about each source function (name, handler,
 * timeout, environment) and about the Glue job's default arguments: the demo and the e2e tests run
 * the functions as configured, with the template's references to our buckets resolved locally.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackagedFunction {
  /** The source name, from the handler path `functions/<name>/src/handler.handler`. */
  source: string;
  /** e.g. `tributary-dev-github`: what the state machine invokes. */
  functionName: string;
  /** e.g. `functions/github/src/handler.handler`. */
  handler: string;
  timeoutSeconds: number;
  /** Environment variables with plain values; references to the raw/curated buckets resolved. */
  environment: Record<string, string>;
}

export interface PackagedService {
  functions: PackagedFunction[];
  /** The Glue job's default arguments with plain values (e.g. `--database`). */
  glueDefaultArguments: Record<string, string>;
}

type Cfn = Record<string, unknown>;

/** Reads `<packageDir>/cloudformation-template-update-stack.json` (the output of `sls package`). */
export function readPackagedService(
  packageDir: string,
  buckets: { raw: string; curated: string },
): PackagedService {
  const templatePath = join(packageDir, 'cloudformation-template-update-stack.json');
  if (!existsSync(templatePath)) {
    throw new Error(`packaged template not found at ${templatePath}: run \`sls package --stage dev\` first`);
  }
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, Cfn> };
  const refs: Record<string, string> = { RawBucket: buckets.raw, CuratedBucket: buckets.curated };
  const plain = (value: unknown): string | undefined => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    const ref = (value as { Ref?: string } | null)?.Ref;
    if (ref && ref in refs) return refs[ref];
    const sub = (value as { 'Fn::Sub'?: unknown } | null)?.['Fn::Sub'];
    if (typeof sub === 'string') {
      const resolved = sub.replace(/\$\{(\w+)\}/g, (m, name: string) => refs[name] ?? m);
      return resolved.includes('${') ? undefined : resolved;
    }
    return undefined;
  };
  const functions: PackagedFunction[] = [];
  let glueDefaultArguments: Record<string, string> = {};
  for (const resource of Object.values(template.Resources)) {
    const props = (resource.Properties ?? {}) as Cfn;
    if (resource.Type === 'AWS::Lambda::Function') {
      const handler = String(props.Handler ?? '');
      const source = /functions\/([^/]+)\/src\/handler\.handler$/.exec(handler)?.[1];
      const functionName = plain(props.FunctionName);
      if (!source || !functionName) continue;
      const variables = ((props.Environment as Cfn | undefined)?.Variables ?? {}) as Record<string, unknown>;
      const environment: Record<string, string> = {};
      for (const [k, v] of Object.entries(variables)) {
        const value = plain(v);
        if (value !== undefined) environment[k] = value;
      }
      functions.push({
        source,
        functionName,
        handler,
        timeoutSeconds: Number(props.Timeout ?? 900),
        environment,
      });
    }
    if (resource.Type === 'AWS::Glue::Job') {
      const args = (props.DefaultArguments ?? {}) as Record<string, unknown>;
      glueDefaultArguments = Object.fromEntries(
        Object.entries(args).flatMap(([k, v]) => {
          const value = plain(v);
          return value === undefined ? [] : [[k, value]];
        }),
      );
    }
  }
  if (functions.length === 0) throw new Error(`no source functions found in ${templatePath}`);
  return { functions, glueDefaultArguments };
}
