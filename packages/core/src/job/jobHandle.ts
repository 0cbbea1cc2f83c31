/**
 * The landing path's side of a job stream (`JobHandle`, stream/types.ts): the job's state lives in
 * the stream's progress (`streams.<s>.job` in the continuation), each change of it is progress (so an
 * invocation that only polled may stop at its deadline and hand the job on), and the clean-up runs
 * once the stream's manifest is committed, then the job leaves the continuation.
 */

import type { StreamProgress } from '../handler/continuation.ts';
import type { RunContext } from '../handler/RunContext.ts';
import type { JobHandle } from '../stream/types.ts';

export function jobHandle(
  ctx: RunContext,
  progress: StreamProgress,
): JobHandle & { committed(): Promise<void> } {
  const tasks: (() => Promise<void>)[] = [];
  return {
    get state() {
      return progress.job ?? null;
    },
    save(state) {
      progress.job = state;
      ctx.onProgress();
    },
    shouldStop: () => ctx.shouldStop(),
    afterCommit: (task) => tasks.push(task),
    async committed() {
      // Each task logs its own failure (a clean-up is not fatal).
      for (const task of tasks) await task();
      delete progress.job;
    },
  };
}
