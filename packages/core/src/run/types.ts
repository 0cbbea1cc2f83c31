/** The handler's result (docs/contracts.md, "Handler result"). */
import type { Continuation } from './continuation.ts';

export interface StreamResult {
  stream: string;
  /** Records landed by the run so far (all invocations). */
  records: number;
  pages: number;
  /** Bytes of the landed parts (gzip). */
  bytes: number;
  /** `s3://…/_manifest.json` once the stream is complete, else null. */
  manifest: string | null;
  /** The stream's watermark in force (incremental streams), else null. */
  watermark: string | null;
  /** `complete`, or `partial` while it waits for the next invocation. */
  status: 'complete' | 'partial';
  /**
   * What landed but looks wrong, one sentence each, e.g. a cursor field found in no record (the
   * watermark cannot move), a walk cut short (the watermark was not moved). Empty when all is well.
   */
  warnings: string[];
  /**
   * Records the API sent outside the run's window and left out: the window bounds a stream's
   * requests do not carry (no `{until}` param, say) are applied to the records' cursor field.
   */
  filteredOut: number;
}

export interface HandlerResult {
  runId: string;
  source: string;
  /** ➕ `split`: the answer to an event with `split` (nothing ran; see `slices`). */
  status: 'complete' | 'partial' | 'split';
  /** Pass it back unchanged in the next event while `status` is `partial`; null when complete. */
  continuation: Continuation | null;
  streams: StreamResult[];
  /** ➕ With status `split`: the part of the handler event that runs each slice, in order. */
  slices?: { window: { since: string; until: string }; slice: true }[];
}
