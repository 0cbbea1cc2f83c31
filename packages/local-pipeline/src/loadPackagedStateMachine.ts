/**
 * Reads the state machine out of a packaged template (`sls package` output): the definition that
 * gets deployed, with its CloudFormation intrinsics resolved offline, ready to execute locally.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { TemplateError } from './errors.ts';
import { type CloudFormationTemplate, type FakeAwsContext, resolveIntrinsics } from './resolveIntrinsics.ts';

export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

export interface PackagedStateMachine {
  /** The executable definition. */
  definition: StateMachineDefinition;
  logicalId: string;
  /** `StateMachineName`, resolved. */
  name: string;
  /** The whole packaged template, unresolved (for assertions). */
  template: CloudFormationTemplate;
}

export interface LoadOptions extends FakeAwsContext {
  /** Which state machine, by logical id or name; required when the template holds several. */
  stateMachine?: string;
}

export async function readTemplate(dir: string): Promise<CloudFormationTemplate> {
  const path = join(dir, TEMPLATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TemplateError(`no packaged template at ${path}: run packageService() (sls package) first`, {
      cause,
    });
  }
  return JSON.parse(text) as CloudFormationTemplate;
}

export async function loadPackagedStateMachine(
  dir: string,
  options: LoadOptions = {},
): Promise<PackagedStateMachine> {
  const template = await readTemplate(dir);
  const machines = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  const named = machines.map(([id, r]) => ({
    id,
    resource: r,
    name: String(resolveIntrinsics(r.Properties?.StateMachineName ?? id, template, options)),
  }));
  const wanted = options.stateMachine;
  const found = wanted ? named.filter((m) => m.id === wanted || m.name === wanted) : named;
  if (found.length !== 1) {
    const list = named.map((m) => `${m.id} (${m.name})`).join(', ') || 'none';
    throw new TemplateError(
      wanted
        ? `no state machine ${wanted} in ${dir}/${TEMPLATE_FILE}; it has: ${list}`
        : `expected one state machine in ${dir}/${TEMPLATE_FILE}, found: ${list}; pass options.stateMachine`,
    );
  }
  const { id, resource, name } = found[0]!;
  const raw = resource.Properties?.DefinitionString;
  const text = resolveIntrinsics(raw, template, options);
  if (typeof text !== 'string') {
    throw new TemplateError(`${id}.DefinitionString does not resolve to a string`);
  }
  let definition: StateMachineDefinition;
  try {
    definition = JSON.parse(text) as StateMachineDefinition;
  } catch (cause) {
    throw new TemplateError(`${id}.DefinitionString is not JSON once resolved`, { cause });
  }
  return { definition, logicalId: id, name, template };
}
