/**
 * The Lambda handler of a source, in one line: `export const handler = createHandler(source)`.
 *
 * Per invocation: validates the event and the environment (nothing is read or written before
 * both pass), starts the run (or resumes it from `continuation`), runs the planned streams — at most
 * `runtime.streamConcurrency` at once, children after their parents — and returns the result of
 * docs/contracts.md. Before the Lambda deadline minus the safety margin it stops at a page boundary
 * and returns `partial` with a continuation.
 *
 * Stopping before the deadline: see `Deadline`. A stream that fails: the other streams stop cleanly at their next page boundary (parts closed,
 * nothing half-written), the parts any stream landed in this invocation and no committed manifest
 * lists are removed (the continuation that would list them is not returned), then the handler throws the failed stream's typed error (e.g. `SinkError`,
 * or the HTTP layer's), so the state machine's Retry/Catch match on its name. A retry with the same
 * event redoes the unfinished work, under new part keys (the manifest is the only commit point).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { GlueClient } from '@aws-sdk/client-glue';
import type { Context } from 'aws-lambda';
import type { SourceDefinition } from '../definition/schema.ts';
import { EventValidationError } from '../errors.ts';
import { createReader } from '../http/createReader.ts';
import type { ReaderContext, StreamReader } from '../http/readTypes.ts';
import { newAttempt } from '../landing/keys.ts';
import type { LandingStorage } from '../landing/LandingStorage.ts';
import { s3StorageFromEnvironment } from '../landing/s3/S3LandingStorage.ts';
import { type Continuation, parseContinuation } from './continuation.ts';
import { dynamoCoordinationStore } from './coordination/dynamoCoordinationStore.ts';
import { Deadline } from './Deadline.ts';
import { type HandlerEnvironment, readEnvironment } from './environment.ts';
import { type HandlerEvent, parseEvent } from './event.ts';
import { localReport, printsLocalReport } from './localReport.ts';
import { createRunLogger, observerFor } from './observability/createRunLogger.ts';
import { StreamTelemetry } from './observability/StreamTelemetry.ts';
import { runPlan } from './planStreams.ts';
import type { RunContext } from './RunContext.ts';
import { removeInvocationParts } from './removeUncommitted.ts';
import { runStream } from './runStream.ts';
import { splitWindow } from './slices.ts';
import { startRun } from './startRun.ts';
import type { HandlerResult, StreamResult } from './types.ts';

export interface HandlerOptions {
  /** The reader of the source's API. @default the HTTP layer's `createReader` */
  createReader?: (definition: SourceDefinition, context: ReaderContext) => StreamReader;
  /**
   * Where the run lands (parts, manifests, watermarks), given the invocation's environment.
   * @default S3: the environment's bucket (`TARGET_S3_BUCKET_NAME`), one client per
   * `AWS_ENDPOINT_URL` (path-style when it is set)
   */
  storage?: (env: HandlerEnvironment) => LandingStorage;
}

export type Handler = (
  event: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<HandlerResult>;

export function createHandler(definition: SourceDefinition, options: HandlerOptions = {}): Handler {
  const deps: Dependencies = {
    makeReader: options.createReader ?? createReader,
    storageFor: options.storage ?? s3StorageFromEnvironment(),
    glueFor: glueClients(),
  };
  return async (rawEvent, context) => {
    const event = parseEvent(definition, rawEvent);
    if (event.split) return splitResult(definition, event);
    const invocation = await openInvocation(definition, event, context, deps);
    try {
      await runStreams(invocation);
    } finally {
      invocation.deadline.dispose();
    }
    const failed = invocation.failures[0];
    if (failed) {
      // The continuation dies with the error: what the other streams landed in this invocation goes too.
      await removeInvocationParts(invocation.ctx, invocation.run.streams);
      throw failed.error;
    }
    return finishInvocation(invocation);
  };
}

/** What the handler is built with, once per Lambda container. */
interface Dependencies {
  makeReader: NonNullable<HandlerOptions['createReader']>;
  storageFor: NonNullable<HandlerOptions['storage']>;
  glueFor: () => GlueClient;
}

/** One invocation, as its steps share it. */
interface Invocation {
  run: Continuation;
  ctx: RunContext;
  deadline: Deadline;
  logger: Logger;
  /** Each started stream's telemetry (the reader's observer reports retries into it). */
  telemetry: Map<string, StreamTelemetry>;
  /** Streams that failed, in the order they failed; the first one's error is thrown. */
  failures: Array<{ stream: string; error: unknown }>;
}

/** One Glue client per `AWS_ENDPOINT_URL`, made when first needed. */
function glueClients(): () => GlueClient {
  const glues = new Map<string, GlueClient>();
  return () => {
    const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
    let client = glues.get(endpoint);
    if (!client) {
      client = new GlueClient({});
      glues.set(endpoint, client);
    }
    return client;
  };
}

/** Reads the environment, starts the run (or resumes it from the continuation), arms the deadline. */
async function openInvocation(
  definition: SourceDefinition,
  event: HandlerEvent,
  context: Parameters<Handler>[1],
  deps: Dependencies,
): Promise<Invocation> {
  const env = readEnvironment(definition);
  const continuation = event.continuation
    ? parseContinuation(event.continuation, event.runId, Object.keys(definition.streams), definition.name)
    : undefined;
  const storage = deps.storageFor(env);
  const logger = createRunLogger(definition.name, event.runId);
  const run: Continuation =
    continuation ?? (await startRun({ definition, env, storage, event, now: new Date() }));
  logger.info(continuation ? 'run resumed' : 'run started', {
    plan: run.plan,
    importDate: run.importDate,
    windows: Object.fromEntries(run.plan.map((s) => [s, run.streams[s]!.window])),
  });

  const deadline = new Deadline(
    () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY,
    env.safetyMarginMs,
  );
  const telemetry = new Map<string, StreamTelemetry>();
  const ctx: RunContext = {
    definition,
    env,
    storage,
    glue: deps.glueFor,
    runId: event.runId,
    importDate: run.importDate,
    ...(run.slice !== undefined && { slice: run.slice }),
    attempt: newAttempt(),
    reader: deps.makeReader(definition, {
      baseUrl: env.baseUrl,
      secretName: env.secretName,
      tokenUrl: env.tokenUrl,
      ...(env.coordinationTable && {
        coordination: dynamoCoordinationStore({ table: env.coordinationTable, source: definition.name }),
      }),
      observer: observerFor(telemetry),
      logger,
    }),
    shouldStop: () => deadline.shouldStop(),
    signal: deadline.signal,
    onProgress: () => deadline.progress(),
  };
  return { run, ctx, deadline, logger, telemetry, failures: [] };
}

/** Runs the streams not yet done, children after their parents, until done or stopped. */
async function runStreams(invocation: Invocation): Promise<void> {
  const { run, ctx, deadline } = invocation;
  const { definition } = ctx;
  const done = (stream: string) => run.streams[stream]!.done;
  await runPlan({
    plan: run.plan.filter((s) => !done(s)),
    concurrency: definition.runtime.streamConcurrency,
    ready: (stream) => {
      const parent = definition.streams[stream]!.parent?.stream;
      return parent === undefined || done(parent);
    },
    stopped: () => deadline.shouldStop(),
    run: (stream) => runOneStream(invocation, stream),
  });
}

/** Runs one stream; never rejects: a failure is recorded and stops the other streams. */
async function runOneStream(invocation: Invocation, stream: string): Promise<void> {
  const { ctx, deadline, run } = invocation;
  const t = new StreamTelemetry(invocation.logger, ctx.definition.name, stream, ctx.env.progressIntervalMs);
  invocation.telemetry.set(stream, t);
  const progress = run.streams[stream]!;
  try {
    await runStream(ctx, stream, progress, t);
    deadline.progress();
    t.logger.info(progress.done ? 'stream complete' : 'stream paused at a page boundary', {
      records: progress.records,
      filteredOut: progress.filteredOut,
      pages: progress.pages,
      bytes: progress.bytes,
      manifest: progress.manifest,
      watermark: progress.watermark,
    });
  } catch (error) {
    invocation.failures.push({ stream, error });
    deadline.fail();
    const e = error as { name?: string; message?: string };
    t.logger.error('stream failed', { errorName: e.name, errorMessage: e.message });
  } finally {
    t.publish();
  }
}

/** The result of an invocation whose streams all finished or paused; logged, and printed locally. */
function finishInvocation({ run, ctx, logger, telemetry }: Invocation): HandlerResult {
  const complete = run.plan.every((s) => run.streams[s]!.done);
  const result: HandlerResult = {
    runId: ctx.runId,
    source: ctx.definition.name,
    status: complete ? 'complete' : 'partial',
    continuation: complete ? null : run,
    streams: run.plan.map((stream) => resultOf(stream, run)),
  };
  logger.info(complete ? 'run complete' : 'run partial: invoke again with the continuation', {
    status: result.status,
    streams: result.streams,
  });
  if (printsLocalReport()) {
    const stats = new Map(
      [...telemetry].map(([s, t]) => [s, { retries: t.retries, durationMs: t.elapsedMs }]),
    );
    const since = Object.fromEntries(run.plan.map((s) => [s, run.streams[s]!.window.since]));
    process.stderr.write(`\n${localReport(result, stats, since)}\n`);
  }
  return result;
}

/**
 * ➕ The answer to an event with `split`: the window's slices, each as the part of the handler event
 * that runs it. Reads and writes nothing (no environment, no S3, no API).
 */
function splitResult(definition: SourceDefinition, event: HandlerEvent): HandlerResult {
  const byDefault = event.split === 'default';
  const duration = byDefault ? definition.backfill?.slice : event.split!;
  if (duration === undefined) {
    throw new EventValidationError(
      `invalid handler event: split: "default", but source ${definition.name} declares no backfill.slice; give a slice length such as "P7D"`,
      { where: { source: definition.name } },
    );
  }
  const window = { since: event.window!.since, until: event.window!.until ?? new Date() };
  const slices = splitWindow(window, duration, {
    source: definition.name,
    field: byDefault ? `split (the definition's backfill.slice "${duration}")` : 'split',
  });
  return {
    runId: event.runId,
    source: definition.name,
    status: 'split',
    continuation: null,
    streams: [],
    slices: slices.map((w) => ({ window: w, slice: true as const })),
  };
}

function resultOf(stream: string, run: Continuation): StreamResult {
  const p = run.streams[stream]!;
  return {
    stream,
    records: p.records,
    pages: p.pages,
    bytes: p.bytes,
    manifest: p.manifest,
    watermark: p.watermark,
    status: p.done ? 'complete' : 'partial',
    warnings: p.warnings,
    filteredOut: p.filteredOut,
  };
}
