/**
 * Local stand-ins for the source Lambdas and the Glue job, scripted per test: they record what the
 * state machine sent and answer per the handler contract (docs/contracts.md).
 */
import type { GlueJobOutcome, GlueJobRequest, JsonValue } from '@tributary/local-pipeline';

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

export class FakeSources {
  readonly invocations: Invocation[] = [];
  readonly glueRequests: GlueJobRequest[] = [];
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
