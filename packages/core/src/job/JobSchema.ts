/**
 * A stream's `job`: an async report job (Salesforce Bulk API 2.0 query jobs; ad and payment
 * platforms' report exports). The handler creates the job (a POST whose answer holds its id at
 * `idPath`), polls it (`statusPath` until one of `done`, failing on one of `failed`) with a backoff
 * from `intervalMs` growing to `maxIntervalMs`, bounded by `maxWaitSeconds` of waiting in all, then
 * reads the RESULTS with the stream's own `path`, `params` and `paginator` (templates may use
 * `{job.id}`), then optionally cleans up (`cleanup`, after the stream's manifest is committed).
 * A job still running at the deadline is carried in the continuation (`JobProgressSchema`), never
 * created twice by a run.
 */
import * as z from 'zod';
import { RequestSchema } from '../request/registry.ts';

export const JobSchema = z.strictObject({
  create: z.strictObject({
    /** Relative to the base URL, e.g. `/services/data/v62.0/jobs/query`. */
    path: z.string().min(1),
    /**
     * How the create is sent: a request style of the registry (request/), as a stream's `request`,
     * e.g. `{ type: 'json', method: 'POST', body: {…}, retrySafe: true }`; its templates take the
     * window (`{since}`, `{until:unixMs}`), not `{job.id}`.
     */
    request: RequestSchema,
    /** Where the job's id is in the create answer. @default 'id' */
    idPath: z.string().min(1).default('id'),
  }),
  poll: z.strictObject({
    /** The job's status URL, e.g. `/services/data/v62.0/jobs/query/{job.id}`. */
    path: z.string().min(1),
    /** Where the status is in the poll answer, e.g. `state`. */
    statusPath: z.string().min(1),
    /** The statuses that mean the results are ready, e.g. `['JobComplete']`. */
    done: z.array(z.string()).min(1),
    /** The statuses that mean there will be no results, e.g. `['Failed', 'Aborted']`. */
    failed: z.array(z.string()).default([]),
    /** Where the API's message is in a failed job's answer, e.g. `errorMessage`. */
    messagePath: z.string().optional(),
    /** The first wait between polls, ms; each next wait is 1.5 times longer. @default 2000 */
    intervalMs: z.number().int().positive().default(2000),
    /** The longest wait between polls, ms. @default 30000 */
    maxIntervalMs: z.number().int().positive().default(30_000),
    /** The wait between polls in all, across invocations, before `JobTimeoutError`. @default 3600 */
    maxWaitSeconds: z.number().positive().default(3600),
  }),
  /** Deletes the job once the stream's manifest is committed; a failure is logged, not fatal. */
  cleanup: z
    .strictObject({ method: z.literal('DELETE').default('DELETE'), path: z.string().min(1) })
    .optional(),
});

export type JobDefinition = z.output<typeof JobSchema>;

/**
 * ➕ The job of a job stream as the continuation carries it (`streams.<s>.job`, docs/contracts.md):
 * created once per run, polled again on resume. Small and free of secrets: the API's id and counts.
 */
export const JobProgressSchema = z.strictObject({
  /** The API's job id (`create.idPath`). */
  id: z.string().min(1),
  /** When the job was created (ISO). */
  createdAt: z.string(),
  /** The wait between polls so far, ms, every invocation included (bounded by `maxWaitSeconds`). */
  waitedMs: z.number().nonnegative(),
  /** Polls so far: the next wait grows with it. */
  polls: z.number().int().nonnegative(),
  /** The job said it is done (`poll.done`): its results are read; no more polls. */
  done: z.boolean(),
});

export type JobProgress = z.output<typeof JobProgressSchema>;
