/**
 * Which local function runs a Task state, by the kind of its `Resource` ARN. Task states are
 * found anywhere in the definition (Map item processors and Parallel branches included); state
 * names are unique across a state machine, so they key the handlers.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export type TaskKind = 'lambdaInvoke' | 'lambdaFunction' | 'glueStartJobRunSync' | 'glueStartJobRun';

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
];

export function taskKind(resource: string): TaskKind | undefined {
  return KINDS.find(([re]) => re.test(resource))?.[1];
}

type States = StateMachineDefinition['States'];

/** Every Task state of the definition, nested ones included. */
export function taskStates(definition: Pick<StateMachineDefinition, 'States'>): TaskState[] {
  const out: TaskState[] = [];
  const visit = (states: States) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') out.push({ name, resource: state.Resource, kind: taskKind(state.Resource) });
      if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (processor) visit(processor.States);
      }
      if (state.Type === 'Parallel') for (const branch of state.Branches) visit(branch.States);
    }
  };
  visit(definition.States);
  return out;
}

/** Every state name that has a Retry field, nested ones included. */
export function retryingStates(definition: Pick<StateMachineDefinition, 'States'>): string[] {
  const out: string[] = [];
  const visit = (states: States) => {
    for (const [name, state] of Object.entries(states)) {
      if ('Retry' in state && state.Retry?.length) out.push(name);
      if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (processor) visit(processor.States);
      }
      if (state.Type === 'Parallel') for (const branch of state.Branches) visit(branch.States);
    }
  };
  visit(definition.States);
  return out;
}
