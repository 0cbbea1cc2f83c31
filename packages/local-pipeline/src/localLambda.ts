/**
 * Runs Lambda handlers in-process for `runStateMachine`'s `invokeLambda`: looks the handler up
 * by function name and gives it a Lambda-like context whose deadline is the function's timeout
 * (so a handler that watches `getRemainingTimeInMillis()` returns `partial` as on Lambda).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { JsonValue } from './runStateMachine.ts';

export type LocalHandler = (event: JsonValue, context: Context) => Promise<unknown> | unknown;

export interface LambdaContextOptions {
  functionName: string;
  /** The function's timeout; the context's deadline starts at creation. @default 900000 */
  timeoutMs?: number;
  /** @default 256 */
  memoryMb?: number;
  /** @default 'eu-west-2' */
  region?: string;
}

export function createLambdaContext(options: LambdaContextOptions): Context {
  const timeoutMs = options.timeoutMs ?? 900_000;
  const deadline = Date.now() + timeoutMs;
  const region = options.region ?? 'eu-west-2';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? 256),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * An `invokeLambda` over local handlers keyed by function name (e.g. `tributary-dev-github`).
 * `timeoutMs` may be one number or one per function name. An unknown name throws
 * `Lambda.ResourceNotFoundException`, as Lambda would.
 */
export function localLambdas(
  handlers: Record<string, LocalHandler>,
  options: { timeoutMs?: number | Record<string, number>; region?: string } = {},
): (functionName: string, payload: JsonValue) => Promise<JsonValue> {
  return async (functionName, payload) => {
    const handler = handlers[functionName];
    if (!handler) {
      const e = new Error(
        `Function not found: ${functionName} (local handlers: ${Object.keys(handlers).join(', ') || 'none'})`,
      );
      e.name = 'Lambda.ResourceNotFoundException';
      throw e;
    }
    const t = options.timeoutMs;
    const timeoutMs = typeof t === 'number' ? t : t?.[functionName];
    const context = createLambdaContext({ functionName, timeoutMs, region: options.region });
    // A JSON round trip, as the event and result cross Lambda's API.
    const event = JSON.parse(JSON.stringify(payload)) as JsonValue;
    const result = await handler(event, context);
    return (result === undefined ? null : JSON.parse(JSON.stringify(result))) as JsonValue;
  };
}
