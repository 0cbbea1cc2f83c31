/** The wait between a job's polls: from intervalMs, 1.5 times longer each poll, up to maxIntervalMs. */
import { expect, test } from 'vitest';
import { JobSchema } from '../../src/job/JobSchema.ts';
import { pollDelayMs } from '../../src/job/readJobStream.ts';

test('grows from intervalMs to maxIntervalMs, by the poll count the continuation carries', () => {
  const { poll } = JobSchema.parse({
    create: { path: '/jobs', request: { type: 'json', method: 'POST' } },
    poll: { path: '/jobs/{job.id}', statusPath: 'state', done: ['JobComplete'] },
  });
  expect([poll.intervalMs, poll.maxIntervalMs, poll.maxWaitSeconds]).toEqual([2000, 30_000, 3600]);
  expect(Array.from({ length: 9 }, (_, polls) => pollDelayMs(poll, polls))).toEqual([
    2000, 3000, 4500, 6750, 10_125, 15_188, 22_781, 30_000, 30_000,
  ]);
});
