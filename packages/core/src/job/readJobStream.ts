/**
 * A job stream's reader: the job created once per run (or taken from the continuation), polled
 * until it is done — each poll kept in the continuation, so that an invocation stopped at its
 * deadline leaves the job to the next one, which polls the same job again — then its results read
 * by the stream's own reader (`readStream`: its path, params, paginator, decoder; `{job.id}` in
 * their templates), resuming mid-way from the paginator's position. The clean-up runs once the
 * stream's manifest is committed (`JobHandle.afterCommit`).
 */

import type { TemplateValues } from '../definition/template/template.ts';
import { JobFailedError, JobTimeoutError } from '../errors.ts';
import { type ReadDeps, readSince, readStream } from '../http/readStream.ts';
import type { JobHandle, Page, ReadOptions } from '../http/readTypes.ts';
import { sleep } from '../http/retry/sleep.ts';
import type { StreamPlan } from '../http/streamPlan.ts';
import type { JobDefinition, JobProgress } from './JobSchema.ts';
import { type JobDeps, JobRequests } from './jobRequests.ts';

/** Each wait between polls is this much longer than the one before, up to `maxIntervalMs`. */
const GROWTH = 1.5;

/** The wait before the poll after `polls` polls, ms. */
export function pollDelayMs(poll: JobDefinition['poll'], polls: number): number {
  return Math.min(poll.maxIntervalMs, Math.round(poll.intervalMs * GROWTH ** polls));
}

export async function* readJobStream(
  plan: StreamPlan,
  options: ReadOptions,
  deps: JobDeps,
): AsyncGenerator<Page> {
  const job = plan.stream.job!;
  const local = options.job ? undefined : localHandle();
  const handle = options.job ?? local!;
  const requests = new JobRequests(plan.name, plan.stream, deps);
  const values = windowValues(plan, options);
  let state = handle.state;
  if (state === null) {
    const id = await requests.create(values, options.signal);
    state = { id, createdAt: new Date().toISOString(), waitedMs: 0, polls: 0, done: false };
    deps.logger.info('job created', { stream: plan.name, jobId: id });
    save(handle, state, options.signal);
  }
  const jobValues: TemplateValues = { ...values, vars: { 'job.id': state.id } };
  while (!state.done) {
    state = await pollOnce(plan, job, requests, state, jobValues, options.signal);
    save(handle, state, options.signal);
  }
  const { id } = state;
  if (job.cleanup) handle.afterCommit(() => requests.cleanup(id, jobValues));
  try {
    yield* readStream(withJob(plan, id, requests.bounded), options, deps satisfies ReadDeps);
  } finally {
    // A reader on its own (`pnpm check` reads one page, then stops) cleans up when it is done with it.
    await local?.committed();
  }
}

/** One wait (bounded by what is left of `maxWaitSeconds`), then one poll: the job's next state. */
async function pollOnce(
  plan: StreamPlan,
  job: JobDefinition,
  requests: JobRequests,
  state: JobProgress,
  values: TemplateValues,
  signal: AbortSignal | undefined,
): Promise<JobProgress> {
  const left = job.poll.maxWaitSeconds * 1000 - state.waitedMs;
  if (left <= 0) {
    throw new JobTimeoutError(
      `job ${state.id} (created ${state.createdAt}) is not done after waiting ${state.waitedMs / 1000} s over ${state.polls} polls (job.poll.maxWaitSeconds: ${job.poll.maxWaitSeconds}); ` +
        'raise job.poll.maxWaitSeconds, or narrow the job (a shorter window); abort the job on the API if it is still running, then start a new run',
      { jobId: state.id, where: { source: requests.source, stream: plan.name } },
    );
  }
  const delay = Math.min(pollDelayMs(job.poll, state.polls), left);
  signal?.throwIfAborted();
  await sleep(delay, signal);
  const answer = await requests.poll(state.id, values, signal);
  if (answer.kind === 'failed') {
    throw new JobFailedError(
      `job ${state.id} ${answer.status}${answer.message ? `: ${answer.message}` : ''} (a new run creates a new job)`,
      {
        jobId: state.id,
        ...(answer.message !== undefined && { apiMessage: answer.message }),
        where: { source: requests.source, stream: plan.name },
      },
    );
  }
  return { ...state, waitedMs: state.waitedMs + delay, polls: state.polls + 1, done: answer.kind === 'done' };
}

/** Keeps the state in the continuation; stops here (a running job carried on) when the invocation must stop. */
function save(handle: JobHandle, state: JobProgress, signal: AbortSignal | undefined): void {
  handle.save(state);
  if (handle.shouldStop()) {
    // The landing path reads a rejection after its stop signal as the stop, not as a failure.
    signal?.throwIfAborted();
  }
}

/** `{since}` and `{until}` as the stream's requests get them (`incremental.initialSince` on a first run). */
function windowValues(plan: StreamPlan, options: ReadOptions): TemplateValues {
  const since = readSince(plan, options);
  return { until: options.window.until, ...(since && { since }) };
}

/**
 * The stream's plan with `{job.id}` among its values. Its window bounds are those of the job's
 * create request too (a query bounded by `{since}` in the body needs no filter on the results).
 */
function withJob(plan: StreamPlan, id: string, create: StreamPlan['bounded']): StreamPlan {
  return {
    ...plan,
    bounded: { since: plan.bounded.since || create.since, until: plan.bounded.until || create.until },
    walk: (values, where) => plan.walk({ ...values, vars: { ...values.vars, 'job.id': id } }, where),
  };
}

/** Outside the handler (a reader used on its own): the job lives in memory, cleaned up once the reading ends. */
function localHandle(): JobHandle & { committed(): Promise<void> } {
  let state: JobProgress | null = null;
  const tasks: (() => Promise<void>)[] = [];
  return {
    get state() {
      return state;
    },
    save: (next) => {
      state = next;
    },
    shouldStop: () => false,
    afterCommit: (task) => tasks.push(task),
    committed: async () => {
      for (const task of tasks) await task();
    },
  };
}
