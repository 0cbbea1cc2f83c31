/**
 * The continuation a `partial` result carries: opaque to the state machine, exact for the handler.
 * It fixes the run (import date, per-stream windows) and records per stream where pagination stands
 * and which parts have landed, so the next invocation resumes at the next page and the manifest
 * lists the parts of every invocation. Kept small: parts are `[records, bytes, sha256, ndjsonBytes,
 * attempt]` (keys derive from their index and the attempt that landed them), finished streams keep
 * only their summary.
 */
import * as z from 'zod';
import { EventValidationError } from '../errors.ts';
import { JobProgressSchema } from '../job/JobSchema.ts';
import { ATTEMPT } from '../sink/keys.ts';
import type { JsonValue } from '../stream/types.ts';
import { SLICE_ID } from './slices.ts';

const Json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]),
);

const WindowSchema = z.strictObject({ since: z.string().nullable(), until: z.string() });

const StreamProgressSchema = z.strictObject({
  window: WindowSchema,
  /** When the stream first started (ISO); null until then. */
  startedAt: z.string().nullable(),
  done: z.boolean(),
  /** `Page.next` of the last landed page; null = from the start. */
  position: Json.nullable(),
  /**
   * Landed parts, in order: `[records, bytes, sha256, ndjsonBytes, attempt]`. A part without an
   * attempt was landed before part keys had one (`part-00000.ndjson.gz`).
   */
  parts: z.array(
    z.tuple([z.number(), z.number(), z.string(), z.number(), z.string().regex(ATTEMPT).optional()]),
  ),
  records: z.number(),
  pages: z.number(),
  bytes: z.number(),
  /** Greatest cursor value landed so far (ISO). */
  maxCursor: z.string().nullable(),
  /** A walk ended other than at the API's own end (see `Page.end`): the watermark must not move. */
  cutShort: z.boolean().default(false),
  /**
   * ➕ A window-stepped stream (`window`) whose walk was cut short: the start of the first slice it
   * was cut in (ISO). The slices before it were read to the API's end: the watermark may move to it.
   */
  cutAt: z.string().nullable().default(null),
  /** What the run should tell its operator about the stream (see `StreamResult.warnings`). */
  warnings: z.array(z.string()).default([]),
  /** Records the API sent outside the window, left out (see `Page.filteredOut`). */
  filteredOut: z.number().default(0),
  /**
   * ➕ A child with state per parent (handler/parentState.ts): whether its parents read from their
   * own watermarks or from the run's window (an event `window`), and the attempt whose checkpoint
   * holds the run's walks so far (`null` until an invocation stopped in the stream).
   */
  parents: z
    .strictObject({
      since: z.enum(['perParent', 'window']),
      checkpoint: z.string().regex(ATTEMPT).nullable(),
    })
    .optional(),
  /** Once done: the manifest's URI and the watermark in force after the run. */
  manifest: z.string().nullable(),
  watermark: z.string().nullable(),
  /** ➕ A job stream's job, once created (job/JobSchema.ts); dropped once the stream is done. */
  job: JobProgressSchema.optional(),
});

export const ContinuationSchema = z.strictObject({
  v: z.literal(1),
  runId: z.string(),
  /** `YYYYMMDD` */
  importDate: z.string().regex(/^\d{8}$/),
  /** The first invocation's start (ISO). */
  startedAt: z.string(),
  /** The streams of the run, parents before children. */
  plan: z.array(z.string()).min(1),
  streams: z.record(z.string(), StreamProgressSchema),
  /** ➕ The backfill slice this run is (`sliceIdOf` its window): in its keys. */
  slice: z.string().regex(SLICE_ID).optional(),
});

export type Continuation = z.output<typeof ContinuationSchema>;
export type StreamProgress = z.output<typeof StreamProgressSchema>;

export function parseContinuation(
  raw: Record<string, unknown>,
  runId: string,
  definedStreams: readonly string[],
  source: string,
): Continuation {
  const where = { source };
  // `jitless`: one parse per invocation, where zod's compiled fast path costs more than it saves.
  const parsed = ContinuationSchema.safeParse(raw, { jitless: true });
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const path = ['continuation', ...i.path.map(String)].join('.');
    throw new EventValidationError(
      `invalid handler event: ${path}: ${i.message} (pass the continuation of the previous result unchanged)`,
      { where },
    );
  }
  const c = parsed.data;
  if (c.runId !== runId) {
    throw new EventValidationError(
      `invalid handler event: continuation.runId: "${c.runId}" belongs to another run than runId "${runId}"`,
      { where },
    );
  }
  for (const s of c.plan) {
    if (!definedStreams.includes(s) || !c.streams[s]) {
      throw new EventValidationError(`invalid handler event: continuation.plan: unknown stream "${s}"`, {
        where,
      });
    }
  }
  return c;
}
