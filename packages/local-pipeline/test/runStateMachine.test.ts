import { describe, expect, it } from 'vitest';
import {
  glueArgv,
  localLambdas,
  runStateMachine,
  type StateMachineDefinition,
  TaskError,
  UnmappedTaskError,
} from '../src/index.ts';

const lambdaThenGlue: StateMachineDefinition = {
  StartAt: 'Invoke',
  States: {
    Invoke: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'fn-a', 'Payload.$': '$' },
      ResultSelector: { 'value.$': '$.Payload.value', 'code.$': '$.StatusCode' },
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 60, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
      Next: 'Direct',
    },
    Direct: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:eu-west-2:123456789012:function:fn-b',
      Next: 'Glue',
    },
    Glue: {
      Type: 'Task',
      Resource: 'arn:aws:states:::glue:startJobRun.sync',
      Parameters: { JobName: 'job', Arguments: { '--x': '1' } },
      ResultSelector: { 'state.$': '$.JobRunState' },
      End: true,
    },
    Caught: { Type: 'Pass', End: true },
  },
};

describe('runStateMachine', () => {
  it('maps lambda:invoke, a function ARN and glue:startJobRun.sync to the local functions', async () => {
    const calls: unknown[] = [];
    const events: string[] = [];

    const result = await runStateMachine({
      definition: lambdaThenGlue,
      input: { n: 1 },
      invokeLambda: (name, payload) => {
        calls.push([name, payload]);
        return name === 'fn-a' ? { value: 41 } : { value: 42 };
      },
      startGlueJob: (request) => {
        calls.push(request);
        return { JobRunState: 'SUCCEEDED' };
      },
      onEvent: (e) => events.push(`${e.type}:${e.state ?? ''}`),
    });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { state: 'SUCCEEDED' } });
    expect(calls).toEqual([
      ['fn-a', { n: 1 }],
      ['fn-b', { value: 41, code: 200 }],
      { JobName: 'job', Arguments: { '--x': '1' } },
    ]);
    expect(events).toContain('StateEntered:Invoke');
    expect(events.at(-1)).toBe('ExecutionSucceeded:');
  });

  it('reports a handler error as Lambda does: errorType as Error, its JSON as Cause; retries without waiting', async () => {
    let attempts = 0;
    const result = await runStateMachine({
      definition: lambdaThenGlue,
      input: {},
      invokeLambda: () => {
        attempts += 1;
        const e = new Error(attempts <= 2 ? 'try again' : 'broken for good');
        e.name = attempts <= 2 ? 'Flaky' : 'Fatal';
        throw e;
      },
      startGlueJob: () => ({}),
    });

    expect(attempts).toBe(3);
    expect(result.status).toBe('SUCCEEDED');
    const error = (result.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('Fatal');
    expect(JSON.parse(error.Cause)).toMatchObject({ errorType: 'Fatal', errorMessage: 'broken for good' });
  });

  it('fails the execution with States.TaskFailed and the job run when the Glue job fails', async () => {
    const result = await runStateMachine({
      definition: lambdaThenGlue,
      input: {},
      invokeLambda: () => ({ value: 1 }),
      startGlueJob: () => ({ JobRunState: 'FAILED', ErrorMessage: 'boom', Id: 'jr_1' }),
    });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.TaskFailed');
    expect(JSON.parse(result.cause!)).toMatchObject({
      Id: 'jr_1',
      JobRunState: 'FAILED',
      ErrorMessage: 'boom',
    });
  });

  it('passes a TaskError through as its Error and Cause', async () => {
    const result = await runStateMachine({
      definition: { StartAt: 'Glue', States: { Glue: lambdaThenGlue.States.Glue! } },
      input: {},
      startGlueJob: () => {
        throw new TaskError('Glue.EntityNotFoundException', 'no job named job');
      },
    });
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'Glue.EntityNotFoundException',
      cause: 'no job named job',
    });
  });

  it('maps an aws-sdk integration to awsSdk: its result as the SDK returns it, its error by name for Catch', async () => {
    const definition: StateMachineDefinition = {
      StartAt: 'Read',
      States: {
        Read: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          Parameters: { Bucket: 'b', 'Key.$': "States.Format('_runs/{}.json', $.run)" },
          ResultSelector: { 'doc.$': 'States.StringToJson($.Body)' },
          ResultPath: '$.read',
          Catch: [{ ErrorEquals: ['S3.NoSuchKeyException'], ResultPath: '$.error', Next: 'Missing' }],
          End: true,
        },
        Missing: { Type: 'Pass', End: true },
      },
    };
    const requests: unknown[] = [];
    const found = await runStateMachine({
      definition,
      input: { run: 'r1' },
      awsSdk: (request) => {
        requests.push(request);
        return { Body: '{"status":"succeeded"}', ContentType: 'application/json' };
      },
    });
    const missing = await runStateMachine({
      definition,
      input: { run: 'r2' },
      awsSdk: () => {
        const e = new Error('The specified key does not exist.');
        e.name = 'S3.NoSuchKeyException';
        throw e;
      },
    });

    expect(requests).toEqual([
      { service: 's3', action: 'getObject', parameters: { Bucket: 'b', Key: '_runs/r1.json' } },
    ]);
    expect(found.output).toEqual({ run: 'r1', read: { doc: { status: 'succeeded' } } });
    expect(missing.output).toMatchObject({
      run: 'r2',
      error: { Error: 'S3.NoSuchKeyException', Cause: 'The specified key does not exist.' },
    });
    await expect(runStateMachine({ definition, input: { run: 'r' } })).rejects.toThrow(/pass awsSdk/);
  });

  it('refuses a task it cannot map, naming the state and the resource', async () => {
    const definition: StateMachineDefinition = {
      StartAt: 'Q',
      States: { Q: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
    };
    await expect(runStateMachine({ definition, input: {} })).rejects.toThrow(UnmappedTaskError);
    await expect(runStateMachine({ definition, input: {} })).rejects.toThrow(
      /Task state Q has resource arn:aws:states:::sqs:sendMessage/,
    );
    await expect(runStateMachine({ definition: lambdaThenGlue, input: {} })).rejects.toThrow(
      /pass invokeLambda/,
    );
  });
});

describe('localLambdas', () => {
  it('runs the handler named by FunctionName with a Lambda context counting down from the timeout', async () => {
    const seen: { event: unknown; remaining: number; name: string }[] = [];
    const invoke = localLambdas(
      {
        'svc-dev-a': (event, context) => {
          seen.push({ event, remaining: context.getRemainingTimeInMillis(), name: context.functionName });
          return { ok: true, at: new Date(0) };
        },
      },
      { timeoutMs: 5_000 },
    );

    const result = await invoke('svc-dev-a', { x: 1 });

    expect(result).toEqual({ ok: true, at: '1970-01-01T00:00:00.000Z' });
    expect(seen[0]?.event).toEqual({ x: 1 });
    expect(seen[0]?.name).toBe('svc-dev-a');
    expect(seen[0]?.remaining).toBeLessThanOrEqual(5_000);
    expect(seen[0]?.remaining).toBeGreaterThan(0);
    await expect(invoke('svc-dev-b', {})).rejects.toMatchObject({
      name: 'Lambda.ResourceNotFoundException',
      message: expect.stringContaining('Function not found: svc-dev-b (local handlers: svc-dev-a)'),
    });
  });
});

describe('glueArgv', () => {
  it('layers defaults, the run and local overrides into a command line', () => {
    expect(
      glueArgv(
        { '--warehouse': 's3://w/', '--catalog': 'glue' },
        { '--run_id': 'r1' },
        { '--warehouse': '/tmp/w' },
      ),
    ).toEqual(['--warehouse', '/tmp/w', '--catalog', 'glue', '--run_id', 'r1']);
  });
});
