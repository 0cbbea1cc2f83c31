/**
 * The packaged source functions, run in this process as Lambda would run them: the real handler
 * module (`functions/<name>/src/handler.ts`), the function's environment from the packaged template
 * (plus the local endpoints), and a Lambda context whose `getRemainingTimeInMillis` counts down
 * from the function's timeout (or a forced short one).
 *
 * Handlers of several sources may run at once (the state machine's Map), and each reads its
 * environment when invoked: this sets the function's variables right before calling the handler,
 * whose synchronous prelude reads them (docs/contracts.md, "Lambda handler environment") before any await.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.ts';
import type { PackagedFunction } from './template.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface InvocationInfo {
  source: string;
  functionName: string;
  payload: unknown;
  /** 1-based count of this source's invocations so far. */
  invocation: number;
}

export interface LocalLambdasOptions {
  functions: PackagedFunction[];
  /** Variables set for every function after its own (AWS endpoint, sandbox URLs, log level…). */
  env: (fn: PackagedFunction) => Record<string, string>;
  /** Remaining time each invocation starts with; forces `partial` results when small. @default the function's timeout */
  remainingMs?: (fn: PackagedFunction) => number | undefined;
  onInvoke?(info: InvocationInfo): void;
  onResult?(info: InvocationInfo & { result: unknown; durationMs: number }): void;
  onError?(info: InvocationInfo & { error: unknown; durationMs: number }): void;
}

/** An error a handler threw, as Lambda reports it to Step Functions (`errorType` = the error's name). */
export class LambdaInvocationError extends Error {
  override readonly name: string;
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

export class LocalLambdas {
  private readonly handlers = new Map<string, Promise<Handler>>();
  private readonly touched = new Set<string>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: LocalLambdasOptions) {}

  byName(functionName: string): PackagedFunction {
    const fn = this.options.functions.find((f) => f.functionName === functionName);
    if (!fn) {
      const known = this.options.functions.map((f) => f.functionName).join(', ');
      throw new LambdaInvocationError(
        functionName,
        'Lambda.ResourceNotFoundException',
        `Function not found: ${functionName} (packaged: ${known})`,
      );
    }
    return fn;
  }

  /** Loads every function's handler module now (module-load configuration errors surface here). */
  async load(): Promise<void> {
    for (const fn of this.options.functions) await this.handler(fn);
  }

  async invoke(functionName: string, payload: unknown): Promise<unknown> {
    const fn = this.byName(functionName);
    const handler = await this.handler(fn);
    const invocation = (this.counts.get(fn.source) ?? 0) + 1;
    this.counts.set(fn.source, invocation);
    const info: InvocationInfo = { source: fn.source, functionName, payload, invocation };
    this.options.onInvoke?.(info);
    const remaining = this.options.remainingMs?.(fn) ?? fn.timeoutSeconds * 1000;
    const deadline = Date.now() + remaining;
    const context = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'eu-west-2'}:000000000000:function:${functionName}`,
      memoryLimitInMB: '256',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const started = performance.now();
    this.applyEnv(fn);
    try {
      // The handler reads its environment synchronously, in this very call.
      const result = await handler(structuredClone(payload), context);
      this.options.onResult?.({ ...info, result, durationMs: performance.now() - started });
      return result;
    } catch (error) {
      this.options.onError?.({ ...info, error, durationMs: performance.now() - started });
      const e = error as { name?: string; message?: string };
      throw new LambdaInvocationError(functionName, e.name ?? 'Error', e.message ?? String(error));
    }
  }

  invocations(source: string): number {
    return this.counts.get(source) ?? 0;
  }

  private applyEnv(fn: PackagedFunction): void {
    for (const key of this.touched) delete process.env[key];
    const env = { ...fn.environment, ...this.options.env(fn) };
    for (const [k, v] of Object.entries(env)) {
      this.touched.add(k);
      process.env[k] = v;
    }
  }

  private handler(fn: PackagedFunction): Promise<Handler> {
    let loaded = this.handlers.get(fn.functionName);
    if (!loaded) {
      // Module-load configuration (GITHUB_REPOSITORIES, SOCRATA_DATASETS…) comes from the same environment.
      this.applyEnv(fn);
      const file = join(repoRoot, fn.handler.replace(/\.handler$/, '.ts'));
      loaded = import(pathToFileURL(file).href).then((m: { handler?: Handler }) => {
        if (typeof m.handler !== 'function') throw new Error(`${file} does not export a handler function`);
        return m.handler;
      });
      this.handlers.set(fn.functionName, loaded);
    }
    return loaded;
  }
}
