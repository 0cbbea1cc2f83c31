import type { Context } from 'aws-lambda';

/** A Lambda context with all the time in the world: the bench measures one uninterrupted run. */
export function fakeContext(): Context {
  const deadline = Date.now() + 6 * 3600_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'tributary-bench-benchApi',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-2:000000000000:function:tributary-bench-benchApi',
    memoryLimitInMB: '256',
    awsRequestId: 'bench',
    logGroupName: '/aws/lambda/tributary-bench-benchApi',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
