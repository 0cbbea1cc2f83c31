/**
 * The checks of a stream's `job` the schema cannot express (definition/checkDefinition.ts adds the
 * stream's path), and the job's template texts by their path, for the definition's template check:
 * the create request cannot use `{job.id}` (there is no job yet); the poll and clean-up paths can.
 */
import type { StreamDefinition } from '../definition/schema.ts';
import { requestTemplates } from '../request/registry.ts';
import type { JobDefinition } from './JobSchema.ts';

/** Problems across the job and the rest of its stream, each `job…: sentence`. */
export function checkJob(stream: StreamDefinition): string[] {
  const job = stream.job;
  if (!job) return [];
  const problems: string[] = [];
  if (stream.partitions)
    problems.push('job: a job stream creates one job per run; it cannot have partitions');
  if (stream.parent) problems.push('job: a job stream creates one job per run; it cannot have a parent');
  if (stream.incremental?.changes) problems.push('job: a job stream cannot follow a change feed');
  if (stream.window)
    problems.push('job: a job stream creates one job per run; it cannot walk its window in steps (window)');
  if (job.poll.maxIntervalMs < job.poll.intervalMs)
    problems.push('job.poll.maxIntervalMs: less than intervalMs; the wait between polls grows to it');
  const both = job.poll.done.filter((status) => job.poll.failed.includes(status));
  if (both.length > 0) problems.push(`job.poll: ${both.join(', ')} both in done and in failed`);
  return problems;
}

/** The job's template texts, by path under `job`: those before the job exists, and those after. */
export function jobTemplates(job: JobDefinition): {
  beforeCreate: Record<string, string>;
  afterCreate: Record<string, string>;
} {
  const beforeCreate: Record<string, string> = { 'create.path': job.create.path };
  for (const [at, text] of Object.entries(requestTemplates(job.create.request)))
    beforeCreate[`create.request.${at}`] = text;
  const afterCreate: Record<string, string> = { 'poll.path': job.poll.path };
  if (job.cleanup) afterCreate['cleanup.path'] = job.cleanup.path;
  return { beforeCreate, afterCreate };
}
