/**
 * The service packaged once per test run and stage (sls package, cached by input hash under
 * node_modules/.cache/local-pipeline/ and locked across the parallel test files), and what the tests read from it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CloudFormationTemplate,
  loadPackagedStateMachine,
  type PackagedStateMachine,
  packageService,
  readTemplate,
  resolveIntrinsics,
} from '@tributary/local-pipeline';
import { parse } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const pending = new Map<string, Promise<string>>();

/** The folder of the packaged service for `stage`. */
export function packaged(stage = 'dev'): Promise<string> {
  let p = pending.get(stage);
  if (!p) {
    p = packageService({ stage, cache: true }).then((r) => r.dir);
    pending.set(stage, p);
  }
  return p;
}

export async function template(stage = 'dev'): Promise<CloudFormationTemplate> {
  return readTemplate(await packaged(stage));
}

export async function stateMachine(stage = 'dev'): Promise<PackagedStateMachine> {
  return loadPackagedStateMachine(await packaged(stage));
}

/** A template value with its intrinsics resolved (account 123456789012, eu-west-2). */
export function resolved<T = unknown>(t: CloudFormationTemplate, value: unknown): T {
  return resolveIntrinsics(value, t) as T;
}

/** The sources registered in serverless.yml's custom.sources (read as text: no variables there). */
export function registeredSources(): string[] {
  const doc = parse(readFileSync(join(repoRoot, 'serverless.yml'), 'utf8'), {
    customTags: [
      { tag: '!Ref', resolve: (v: string) => ({ Ref: v }) },
      { tag: '!GetAtt', resolve: (v: string) => ({ 'Fn::GetAtt': v }) },
    ],
  }) as { custom: { sources: string[] } };
  return doc.custom.sources;
}

export const camelCase = (name: string) => name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
export const pascalCase = (name: string) => {
  const c = camelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
};
