/**
 * Executes a state machine definition locally with aws-local-stepfunctions, its Task states
 * mapped to local functions by resource kind:
 *   arn:aws:states:::lambda:invoke            → invokeLambda(FunctionName, Payload), result wrapped
 *                                               as Lambda's { Payload, StatusCode, ExecutedVersion }
 *   arn:aws:lambda:…:function:<name>          → invokeLambda(name, input), result as is
 *   arn:aws:states:::glue:startJobRun(.sync)  → startGlueJob({ JobName, Arguments, … })
 *   arn:aws:states:::aws-sdk:<service>:<action> → awsSdk({ service, action, parameters }), its result
 *                                               as the SDK integration returns it (e.g. s3:getObject's
 *                                               Body as a string); a thrown error's name, e.g.
 *                                               `S3.NoSuchKeyException`, is the Error Catch matches
 * Errors come out as Step Functions reports them: a thrown error's `name` is the Error that Retry
 * and Catch match (a handler's `TransientError` stays `TransientError`), its Cause Lambda's JSON
 * `{errorType, errorMessage, trace}`; a Glue run that ends FAILED is `States.TaskFailed` with the
 * job run as Cause, an error named `Glue.*` passes as it is.
 */
import { randomUUID } from 'node:crypto';
import {
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { TaskError, UnmappedTaskError } from './errors.ts';
import { awsSdkCall, retryingStates, taskStates } from './taskResources.ts';

/** aws-local-stepfunctions' event type (not exported by the package). */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface GlueJobRequest {
  JobName: string;
  Arguments?: Record<string, string>;
  [other: string]: JsonValue | undefined;
}

/** One call of an AWS SDK service integration (`arn:aws:states:::aws-sdk:<service>:<action>`). */
export interface AwsSdkRequest {
  /** e.g. `s3` */
  service: string;
  /** e.g. `getObject` */
  action: string;
  /** The task's effective parameters, e.g. `{ Bucket, Key }`. */
  parameters: Record<string, JsonValue>;
}

/** What a local Glue job reports; absent fields default to a successful run. */
export interface GlueJobOutcome {
  /** @default 'SUCCEEDED' */
  JobRunState?: 'SUCCEEDED' | 'FAILED' | 'ERROR' | 'TIMEOUT' | 'STOPPED';
  ErrorMessage?: string;
  /** @default a generated `jr_…` id */
  Id?: string;
}

export interface PipelineEvent {
  type: EventLog['type'];
  /** The state's name, for state events. */
  state?: string;
  /** The Map iteration index, for map-iteration events and states inside one. */
  index?: number;
  error?: string;
  cause?: unknown;
  /** The raw event of aws-local-stepfunctions. */
  raw: EventLog;
}

export interface RunStateMachineOptions {
  definition: StateMachineDefinition;
  input: JsonValue;
  /** `$$.Execution.Name` (the run id). @default a random UUID */
  executionName?: string;
  /** Runs a Lambda function: return its result, or throw its error. */
  invokeLambda?(functionName: string, payload: JsonValue): Promise<JsonValue> | JsonValue;
  /** Runs a Glue job to its end. */
  startGlueJob?(request: GlueJobRequest): Promise<GlueJobOutcome | undefined> | GlueJobOutcome | undefined;
  /** Answers the AWS SDK integration tasks: return the result, or throw an error named as Step Functions names it. */
  awsSdk?(request: AwsSdkRequest): Promise<JsonValue> | JsonValue;
  /** Milliseconds waited before each retry, instead of the definition's intervals. @default 0 */
  retryIntervalMs?: number;
  /** Milliseconds Wait states pause, by state name (see aws-local-stepfunctions waitTimeOverrides). */
  waitOverrides?: Record<string, number>;
  /** Live progress: states entered/exited/retried/caught, Map iterations, the execution's end. */
  onEvent?(event: PipelineEvent): void;
}

export interface RunStateMachineResult {
  status: 'SUCCEEDED' | 'FAILED';
  executionName: string;
  output?: JsonValue;
  /** The execution's Error and Cause when it failed. */
  error?: string;
  cause?: string;
  events: PipelineEvent[];
}

function lambdaErrorCause(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  return JSON.stringify({
    errorType: e.name,
    errorMessage: e.message,
    trace: (e.stack ?? '').split('\n'),
  });
}

/** Re-throws a task's error in the shape Step Functions gives it. */
function asTaskError(err: unknown, cause: (e: unknown) => string): Error {
  const name = err instanceof Error ? err.name : 'Error';
  const out = new Error(cause(err));
  out.name = name;
  return out;
}

/** A TaskError is already an Error/Cause pair: it passes through unchanged. */
function isTaskErrorShape(err: unknown): boolean {
  return err instanceof TaskError;
}

function toEvent(raw: EventLog): PipelineEvent {
  const ev: PipelineEvent = { type: raw.type, raw };
  if ('state' in raw) ev.state = raw.state.name;
  if ('index' in raw && raw.index !== undefined) ev.index = raw.index;
  if ('Error' in raw) {
    ev.error = raw.Error;
    ev.cause = raw.Cause;
  }
  return ev;
}

type TaskHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];
type TaskState = ReturnType<typeof taskStates>[number];

/** What runs a Task state locally, by its resource: the options' Lambda, Glue or AWS SDK double. */
function taskHandler(task: TaskState, options: RunStateMachineOptions): TaskHandler {
  switch (task.kind) {
    case 'lambdaInvoke':
    case 'lambdaFunction':
      return lambdaTask(task, options);
    case 'glueStartJobRunSync':
    case 'glueStartJobRun':
      return glueTask(task, options);
    case 'awsSdk':
      return awsSdkTask(task, options);
    default:
      throw new UnmappedTaskError(
        `Task state ${task.name} has resource ${task.resource}, which the local runner cannot map; ` +
          'known: arn:aws:states:::lambda:invoke, arn:aws:lambda:…:function:…, arn:aws:states:::glue:startJobRun(.sync), arn:aws:states:::aws-sdk:<service>:<action>',
      );
  }
}

function lambdaTask(task: TaskState, options: RunStateMachineOptions): TaskHandler {
  const invoke = options.invokeLambda;
  if (!invoke) throw new UnmappedTaskError(`Task state ${task.name} invokes Lambda: pass invokeLambda`);
  const wrapped = task.kind === 'lambdaInvoke';
  const fnName = task.resource.split(':')[6] ?? task.resource;
  return async (input) => {
    const params = (input ?? {}) as { FunctionName?: string; Payload?: JsonValue };
    const name = wrapped ? String(params.FunctionName) : fnName;
    try {
      const result = await invoke(name, wrapped ? (params.Payload ?? null) : (input as JsonValue));
      return wrapped ? { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 } : result;
    } catch (err) {
      if (isTaskErrorShape(err)) throw err;
      throw asTaskError(err, lambdaErrorCause);
    }
  };
}

function glueTask(task: TaskState, options: RunStateMachineOptions): TaskHandler {
  const start = options.startGlueJob;
  if (!start) throw new UnmappedTaskError(`Task state ${task.name} runs a Glue job: pass startGlueJob`);
  const sync = task.kind === 'glueStartJobRunSync';
  return async (input) => {
    const request = input as unknown as GlueJobRequest;
    let outcome: GlueJobOutcome | undefined;
    try {
      outcome = (await start(request)) ?? undefined;
    } catch (err) {
      if (isTaskErrorShape(err) || (err instanceof Error && err.name.startsWith('Glue.'))) {
        throw asTaskError(err, (e) => (e as Error).message);
      }
      outcome = {
        JobRunState: 'FAILED',
        ErrorMessage: err instanceof Error ? err.message : String(err),
      };
    }
    const id = outcome?.Id ?? `jr_${randomUUID().replaceAll('-', '')}`;
    if (!sync) return { JobRunId: id };
    const run = {
      Id: id,
      JobName: request.JobName,
      Arguments: request.Arguments ?? {},
      JobRunState: outcome?.JobRunState ?? 'SUCCEEDED',
      ...(outcome?.ErrorMessage ? { ErrorMessage: outcome.ErrorMessage } : {}),
    };
    if (run.JobRunState !== 'SUCCEEDED') {
      const e = new Error(JSON.stringify(run));
      e.name = 'States.TaskFailed';
      throw e;
    }
    return run as JsonValue;
  };
}

function awsSdkTask(task: TaskState, options: RunStateMachineOptions): TaskHandler {
  const call = options.awsSdk;
  if (!call) throw new UnmappedTaskError(`Task state ${task.name} calls ${task.resource}: pass awsSdk`);
  const { service, action } = awsSdkCall(task.resource);
  return async (input) => {
    try {
      return await call({ service, action, parameters: (input ?? {}) as Record<string, JsonValue> });
    } catch (err) {
      if (isTaskErrorShape(err)) throw err;
      throw asTaskError(err, (e) => (e instanceof Error ? e.message : String(e)));
    }
  };
}

export async function runStateMachine(options: RunStateMachineOptions): Promise<RunStateMachineResult> {
  const { definition } = options;
  const executionName = options.executionName ?? randomUUID();
  const handlers: Record<string, TaskHandler> = {};

  for (const task of taskStates(definition)) handlers[task.name] = taskHandler(task, options);

  const retryMs = options.retryIntervalMs ?? 0;
  const retryIntervalOverrides = Object.fromEntries(retryingStates(definition).map((n) => [n, retryMs]));

  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const execution = machine.run(options.input, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      retryIntervalOverrides,
      ...(options.waitOverrides ? { waitTimeOverrides: options.waitOverrides } : {}),
    },
    context: { Execution: { Name: executionName, Input: options.input } },
  });

  const events: PipelineEvent[] = [];
  const pump = (async () => {
    for await (const raw of execution.eventLogs) {
      const ev = toEvent(raw);
      events.push(ev);
      options.onEvent?.(ev);
    }
  })();

  try {
    const output = (await execution.result) as JsonValue;
    await pump;
    return { status: 'SUCCEEDED', executionName, output, events };
  } catch (err) {
    await pump.catch(() => {});
    if (err instanceof ExecutionError) {
      const failure = err.cause as Error;
      return { status: 'FAILED', executionName, error: failure.name, cause: failure.message, events };
    }
    throw err;
  }
}
