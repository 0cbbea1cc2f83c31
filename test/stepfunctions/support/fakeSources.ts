/**
 * Local stand-ins for the source Lambdas and the Glue job, scripted per test: they record what the
 * state machine sent and answer per the handler contract (docs/contracts.md).
 */
import {
  type AwsSdkRequest,
  type GlueJobOutcome,
  type GlueJobRequest,
  type JsonValue,
  TaskError,
} from '@tributary/local-pipeline';

export interface Invocation {
  functionName: string;
  payload: {
    runId: string;
    source: string;
    window?: JsonValue;
    continuation: JsonValue;
    [k: string]: JsonValue | undefined;
  };
}

/** A handler's reply to one invocation: a result, or an error to throw. */
export type Reply = JsonValue | Error;

export const manifestOf = (runId: string, source: string, stream: string) =>
  `s3://raw/${source}/${stream}/import_year=2026/import_month=11/import_day=23/import_date=20261123/run_id=${runId}/_manifest.json`;

export function complete(event: Invocation['payload'], streams = ['items']): JsonValue {
  return {
    runId: event.runId,
    source: event.source,
    status: 'complete',
    continuation: null,
    streams: streams.map((stream) => ({
      stream,
      records: 10,
      pages: 1,
      bytes: 100,
      manifest: manifestOf(event.runId, event.source, stream),
      watermark: '2026-11-23T05:59:58Z',
    })),
  };
}

export function partial(
  event: Invocation['payload'],
  continuation: JsonValue,
  streams: string[] = [],
): JsonValue {
  return { ...(complete(event, streams) as object), status: 'partial', continuation };
}

/** An error as a handler throws it: `name` is what Lambda reports as errorType. */
export function handlerError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** A run report's compact form, as the curate job writes it (`_runs/<runId>.brief.json`). */
export function runReportBrief(runId: string, over: Record<string, JsonValue> = {}): JsonValue {
  return {
    uri: `s3://tributary-dev-curated-123456789012-eu-west-2/_runs/${runId}.json`,
    runId,
    status: 'succeeded',
    error: null,
    totals: {
      streams: 1,
      streamsFailed: 0,
      recordsLanded: 10,
      rowsInserted: 10,
      rowsUpdated: 0,
      columnsChanged: 0,
      checksFailed: 0,
    },
    streams: [],
    streamsLeftOut: 0,
    drift: '',
    driftUnderFreeze: '',
    failedChecks: '',
    findings: '',
    ...over,
  };
}

export class FakeSources {
  readonly invocations: Invocation[] = [];
  readonly glueRequests: GlueJobRequest[] = [];
  readonly sdkRequests: AwsSdkRequest[] = [];
  /** The curated bucket's objects, by key; a missing key answers as S3 does without ListBucket. */
  readonly curated = new Map<string, string>();
  /** Per source: replies in order; when exhausted, `complete` with one stream `items`. */
  private readonly scripts = new Map<string, ((e: Invocation['payload']) => Reply)[]>();
  private readonly glueScript: (GlueJobOutcome | Error)[] = [];

  script(source: string, ...replies: ((e: Invocation['payload']) => Reply)[]): this {
    this.scripts.set(source, replies);
    return this;
  }

  glue(...outcomes: (GlueJobOutcome | Error)[]): this {
    this.glueScript.push(...outcomes);
    return this;
  }

  invokeLambda = async (functionName: string, payload: JsonValue): Promise<JsonValue> => {
    const event = payload as Invocation['payload'];
    this.invocations.push({ functionName, payload: structuredClone(event) });
    const next = this.scripts.get(event.source)?.shift();
    const reply = next ? next(event) : complete(event);
    if (reply instanceof Error) throw reply;
    return reply;
  };

  startGlueJob = async (request: GlueJobRequest): Promise<GlueJobOutcome> => {
    this.glueRequests.push(structuredClone(request));
    const next = this.glueScript.shift();
    if (next instanceof Error) throw next;
    return next ?? { JobRunState: 'SUCCEEDED', Id: `jr_${this.glueRequests.length}` };
  };

  /** Puts a run report's compact form where the curate job writes it. */
  runReport(brief: JsonValue): this {
    const runId = (brief as { runId: string }).runId;
    this.curated.set(`_runs/${runId}.brief.json`, JSON.stringify(brief));
    return this;
  }

  awsSdk = async (request: AwsSdkRequest): Promise<JsonValue> => {
    this.sdkRequests.push(structuredClone(request));
    if (request.service !== 's3' || request.action !== 'getObject') {
      throw new Error(`the fake answers s3:getObject only, not ${request.service}:${request.action}`);
    }
    const body = this.curated.get(String(request.parameters.Key));
    if (body === undefined) throw new TaskError('S3.AccessDeniedException', 'Access Denied');
    return { Body: body, ContentType: 'application/json', ContentLength: body.length };
  };

  invocationsOf(source: string): Invocation[] {
    return this.invocations.filter((i) => i.payload.source === source);
  }

  /** The --manifests the Glue job received, parsed. */
  manifestsSentToGlue(index = 0): string[] {
    const raw = this.glueRequests[index]?.Arguments?.['--manifests'];
    if (typeof raw !== 'string') throw new Error(`Glue request ${index} has no --manifests`);
    return JSON.parse(raw) as string[];
  }
}
