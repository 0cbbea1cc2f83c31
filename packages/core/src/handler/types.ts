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
}

export interface HandlerResult {
  runId: string;
  source: string;
  status: 'complete' | 'partial';
  /** Pass it back unchanged in the next event while `status` is `partial`; null when complete. */
  continuation: Continuation | null;
  streams: StreamResult[];
}
