/**
 * ➕ Window steps, `window` on an incremental stream: the handler walks the run's window
 * `[since, until)` in slices of `step` (each slice's bounds are what `{since}` / `{until}` render to),
 * and splits a slice whose results would pass `maxRecords`, the API's cap on one query
 * (handler/windowSteps.ts; definition/README.md, "Window steps"). Not the state machine's backfill
 * slices (`backfill.slice`, one Lambda chain per slice): those run in parallel and never move the
 * watermark; window steps run one after another inside one stream's run (a backfill slice included).
 */
import * as z from 'zod';
import { sliceDurationProblem } from '../handler/slices.ts';
import type { StreamDefinition } from './schema.ts';

export const WindowStepSchema = z.strictObject({
  /** The slice length, an ISO-8601 duration of weeks, days, hours, minutes (`P31D`, `PT6H`). Absent: the whole window is one slice. */
  step: z
    .string()
    .superRefine((s, ctx) => {
      const problem = sliceDurationProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** The most results the API gives one query (HubSpot's search: 10,000): a slice over it is split. */
  maxRecords: z.number().int().positive().optional(),
  /** Path in the first page's body of the query's total (`total`): the split happens before the slice lands. */
  totalPath: z.string().min(1).optional(),
});

export type WindowStepDefinition = z.output<typeof WindowStepSchema>;

/** What a stream's `window` needs of the rest of the stream; one line per problem. */
export function checkWindow(at: string, stream: StreamDefinition, problems: string[]): void {
  const window = stream.window;
  if (!window) return;
  const where = `${at}.window`;
  if (!stream.incremental) {
    problems.push(`${where}: needs incremental (the slices are of the run's window on its cursor)`);
    return;
  }
  if (stream.incremental.changes)
    problems.push(`${where}: a stream that follows a change feed (incremental.changes) is not sliced`);
  if (stream.incremental.initialSince === undefined) {
    problems.push(
      `${where}: needs incremental.initialSince (a first run's window must have a start to slice from)`,
    );
  }
  if (window.step === undefined && window.maxRecords === undefined)
    problems.push(`${where}: give step, maxRecords, or both`);
  if (window.totalPath !== undefined && window.maxRecords === undefined)
    problems.push(`${where}.totalPath: needs maxRecords (the total is compared with it)`);
  if (window.maxRecords !== undefined && (stream.partitions || stream.parent)) {
    problems.push(
      `${where}.maxRecords: one query per slice only; a stream with partitions or a parent makes several (split it into streams)`,
    );
  }
}
