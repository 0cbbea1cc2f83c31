/**
 * Which local function runs a Task state, by the kind of its `Resource` ARN. Task states are
 * found anywhere in the definition (Map item processors and Parallel branches included); state
 * names are unique across a state machine, so they key the handlers.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export type TaskKind =
  | 'lambdaInvoke'
  | 'lambdaFunction'
  | 'glueStartJobRunSync'
  | 'glueStartJobRun'
  | 'awsSdk';

export interface TaskState {
  name: string;
  resource: string;
  kind: TaskKind | undefined;
}

const KINDS: [RegExp, TaskKind][] = [
  [/^arn:[\w-]+:states:::lambda:invoke$/, 'lambdaInvoke'],
  [/^arn:[\w-]+:lambda:[\w-]+:\d+:function:[^:]+(:[^:]+)?$/, 'lambdaFunction'],
  [/^arn:[\w-]+:states:::glue:startJobRun\.sync$/, 'glueStartJobRunSync'],
  [/^arn:[\w-]+:states:::glue:startJobRun$/, 'glueStartJobRun'],
  [/^arn:[\w-]+:states:::aws-sdk:[\w-]+:\w+$/, 'awsSdk'],
];

/** The service and action of an `arn:aws:states:::aws-sdk:<service>:<action>` resource. */
export function awsSdkCall(resource: string): { service: string; action: string } {
  const [service = '', action = ''] = resource.split(':').slice(-2);
  return { service, action };
}

export function taskKind(resource: string): TaskKind | undefined {
  return KINDS.find(([re]) => re.test(resource))?.[1];
}

type States = StateMachineDefinition['States'];

type State = States[string];

/** Every state of the definition with its name, in order, those in Map processors and Parallel branches included. */
function* allStates(states: States): Generator<[string, State]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) yield* allStates(processor.States);
    }
    if (state.Type === 'Parallel') for (const branch of state.Branches) yield* allStates(branch.States);
  }
}

/** Every Task state of the definition, nested ones included. */
export function taskStates(definition: Pick<StateMachineDefinition, 'States'>): TaskState[] {
  const out: TaskState[] = [];
  for (const [name, state] of allStates(definition.States)) {
    if (state.Type === 'Task') out.push({ name, resource: state.Resource, kind: taskKind(state.Resource) });
  }
  return out;
}

/** Every state name that has a Retry field, nested ones included. */
export function retryingStates(definition: Pick<StateMachineDefinition, 'States'>): string[] {
  const out: string[] = [];
  for (const [name, state] of allStates(definition.States))
    if ('Retry' in state && state.Retry?.length) out.push(name);
  return out;
}
