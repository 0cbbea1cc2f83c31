/**
 * One execution of the real packaged state machine on this machine: its Lambda tasks run the real
 * source handlers in this process (LocalLambdas), its Glue task runs the real curate.py on local
 * Spark (runCurate), its run-report task (s3:getObject) reads the emulator's curated bucket, where
 * curate.py writes its reports (`--report_root s3://<curated>/_runs/`, as on AWS), against the local
 * stack (moto + sandbox).
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type AwsSdkRequest,
  type CloudFormationTemplate,
  type GlueJobOutcome,
  type GlueJobRequest,
  type JsonValue,
  loadPackagedStateMachine,
  type PipelineEvent,
  type RunStateMachineResult,
  resolveIntrinsics,
  runStateMachine,
  TaskError,
} from '@tributary/local-pipeline';
import { type InvocationInfo, LocalLambdas } from './LocalLambdas.ts';
import { type LogLine, LogTap } from './LogTap.ts';
import { CurateFailedError, type CurateSummary, runCurate } from './runCurate.ts';
import type { LocalStack } from './startLocalStack.ts';
import { type PackagedFunction, type PackagedService, readPackagedService } from './template.ts';

/** Glue-only arguments that mean nothing to a local Spark run. */
const GLUE_ONLY = ['--datalake-formats', '--conf', '--extra-py-files', '--TempDir', '--enable-metrics'];

export interface HandlerResultLike {
  runId: string;
  source: string;
  status: 'complete' | 'partial';
  streams: Array<{ stream: string; records: number; pages: number; bytes: number; manifest?: string | null }>;
}

export interface InvocationRecord {
  source: string;
  invocation: number;
  durationMs: number;
  result?: HandlerResultLike;
  error?: { name: string; message: string };
}

export interface LocalPipelineOptions {
  stack: LocalStack;
  /** The folder `sls package` wrote (packageService()). */
  packageDir: string;
  /** The state machine's input, e.g. `{}` or `{ "sources": ["github"] }`. */
  input: Record<string, unknown>;
  /** `$$.Execution.Name`: the run id. */
  executionName: string;
  /** The local Iceberg warehouse folder. */
  warehouse: string;
  /** Remaining time each Lambda invocation starts with. @default the function's timeout */
  remainingMs?: number;
  /** `SAFETY_MARGIN_MS` for the handlers. @default the definitions' */
  safetyMarginMs?: number;
  /** `POWERTOOLS_LOG_LEVEL` of the handlers. @default 'DEBUG' (tapped, not printed) */
  logLevel?: string;
  /** Extra environment for every function. */
  env?: Record<string, string>;
  /** Each JSON log line of the handlers (page landed, retrying request, …), kept off the terminal. */
  onLog?(line: LogLine): void;
  onEvent?(event: PipelineEvent): void;
  onInvoke?(info: InvocationInfo): void;
  onInvocation?(record: InvocationRecord): void;
  /** Each stderr line of curate.py. */
  onCurateLog?(line: string): void;
  onCurateStart?(args: Record<string, string>): void;
}

export interface LocalPipelineResult {
  execution: RunStateMachineResult;
  invocations: InvocationRecord[];
  curate?: {
    args: Record<string, string>;
    summary?: CurateSummary;
    error?: string;
    /** The last lines curate.py logged, when it failed. */
    stderrTail?: string;
    durationMs: number;
  };
  functions: PackagedFunction[];
}

export async function runLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipelineResult> {
  const { stack } = options;
  const service = readPackagedService(options.packageDir, {
    raw: stack.rawBucket,
    curated: stack.curatedBucket,
  });
  const machine = await loadPackagedStateMachine(options.packageDir, { region: stack.awsEnv.AWS_REGION });
  const invocations: InvocationRecord[] = [];
  const lambdas = localLambdas(options, service, invocations);
  const curate: { run?: LocalPipelineResult['curate'] } = {};
  const s3 = new S3Client({ forcePathStyle: true });
  const tap = new LogTap((line) => options.onLog?.(line)).start();
  try {
    await lambdas.load();
    const execution = await runStateMachine({
      definition: machine.definition,
      input: options.input as never,
      executionName: options.executionName,
      invokeLambda: (name, payload) => lambdas.invoke(name, payload) as never,
      startGlueJob: (request) => runGlueJob(options, service, request, curate),
      awsSdk: curatedReportReader(stack, machine.template, s3),
      onEvent: options.onEvent,
    });
    return { execution, invocations, curate: curate.run, functions: service.functions };
  } finally {
    tap.stop();
    s3.destroy();
  }
}

/** The packaged functions, run in this process against the local stack; each outcome recorded. */
function localLambdas(
  options: LocalPipelineOptions,
  service: PackagedService,
  invocations: InvocationRecord[],
): LocalLambdas {
  const { stack } = options;
  const record = (r: InvocationRecord) => {
    invocations.push(r);
    options.onInvocation?.(r);
  };
  return new LocalLambdas({
    functions: service.functions,
    env: (fn) => ({
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'DEBUG',
      POWERTOOLS_DEV: 'false',
      ...stack.sourceEnv(fn.source),
      ...(options.safetyMarginMs === undefined ? {} : { SAFETY_MARGIN_MS: String(options.safetyMarginMs) }),
      ...options.env,
    }),
    ...(options.remainingMs === undefined ? {} : { remainingMs: () => options.remainingMs }),
    onInvoke: (info) => options.onInvoke?.(info),
    onResult: ({ source, invocation, result, durationMs }) => {
      record({ source, invocation, durationMs, result: result as HandlerResultLike });
    },
    onError: ({ source, invocation, error, durationMs }) => {
      const e = error as Error;
      record({ source, invocation, durationMs, error: { name: e.name, message: e.message } });
    },
  });
}

/** The Glue task: curate.py on local Spark, with the local stack's buckets and warehouse. */
async function runGlueJob(
  options: LocalPipelineOptions,
  service: PackagedService,
  request: GlueJobRequest,
  curate: { run?: LocalPipelineResult['curate'] },
): Promise<GlueJobOutcome> {
  const { stack } = options;
  const defaults = Object.fromEntries(
    Object.entries(service.glueDefaultArguments).filter(
      ([k]) => !GLUE_ONLY.includes(k) && !k.startsWith('--enable-'),
    ),
  );
  const args = {
    ...defaults,
    ...(request.Arguments ?? {}),
    '--warehouse': options.warehouse,
    '--catalog': 'hadoop',
    '--raw_root': `s3://${stack.rawBucket}/`,
    '--s3_endpoint': stack.moto.endpoint,
    '--report_root': `s3://${stack.curatedBucket}/_runs/`,
  };
  options.onCurateStart?.(args);
  const started = performance.now();
  try {
    const summary = await runCurate({ args, env: stack.awsEnv, onLog: options.onCurateLog });
    curate.run = { args, summary, durationMs: performance.now() - started };
    return { JobRunState: 'SUCCEEDED' };
  } catch (error) {
    const message = (error as Error).message;
    const stderrTail = error instanceof CurateFailedError ? error.stderrTail : undefined;
    curate.run = { args, error: message, stderrTail, durationMs: performance.now() - started };
    return { JobRunState: 'FAILED', ErrorMessage: message };
  }
}

/** The run-report task (s3:getObject): reads the emulator's curated bucket, named as packaged. */
function curatedReportReader(
  stack: LocalStack,
  template: CloudFormationTemplate,
  s3: S3Client,
): (request: AwsSdkRequest) => Promise<JsonValue> {
  // The definition names the curated bucket as packaged (a fake account's): the stack's here.
  const packagedCurated = String(
    resolveIntrinsics(template.Resources.CuratedBucket?.Properties?.BucketName, template, {
      region: stack.awsEnv.AWS_REGION,
    }),
  );
  return async ({ service, action, parameters }) => {
    if (service !== 's3' || action !== 'getObject') {
      throw new TaskError(
        'States.Runtime',
        `the local pipeline answers s3:getObject only, not ${service}:${action}`,
      );
    }
    const bucket = parameters.Bucket === packagedCurated ? stack.curatedBucket : String(parameters.Bucket);
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: String(parameters.Key) }));
      const body = (await got.Body?.transformToString()) ?? '';
      return { Body: body, ContentType: got.ContentType ?? null, ContentLength: body.length };
    } catch (error) {
      const name = (error as Error).name;
      // Step Functions names an SDK error `<Service>.<Name>Exception`
      throw new TaskError(
        `S3.${name.endsWith('Exception') ? name : `${name}Exception`}`,
        (error as Error).message,
      );
    }
  };
}
