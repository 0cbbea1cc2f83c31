/** What one invocation's streams share: the definition, environment, storage, clients, and the stop signals. */
import type { GlueClient } from '@aws-sdk/client-glue';
import type { SourceDefinition } from '../definition/schema.ts';
import type { StreamReader } from '../http/readTypes.ts';
import type { RunLocation } from '../landing/keys.ts';
import type { LandingStorage } from '../landing/LandingStorage.ts';
import type { HandlerEnvironment } from './environment.ts';

export interface RunContext {
  definition: SourceDefinition;
  env: HandlerEnvironment;
  /** Where the run lands: parts, manifests, watermarks (`HandlerOptions.storage`). */
  storage: LandingStorage;
  /** For the raw tables; used only when `GLUE_DATABASE` is set. */
  glue(): GlueClient;
  runId: string;
  importDate: string;
  /** ➕ The backfill slice this run is (its keys carry it; it never moves the watermark). */
  slice?: string;
  /**
   * This invocation's attempt id: the part keys it lands carry it, so that no invocation (a rerun, a
   * retry of the same continuation) overwrites a part that a committed manifest lists.
   */
  attempt: string;
  reader: StreamReader;
  /** True when the invocation must stop at the next page boundary (deadline, or another stream failed). */
  shouldStop(): boolean;
  /** Aborted when the invocation must stop even in the middle of waiting for a page: cancels requests in flight. */
  signal: AbortSignal;
  /** Called once a page has landed: the invocation has made progress. */
  onProgress(): void;
}

/** Where a stream of this run lands. */
export function locationOf(ctx: RunContext, stream: string): RunLocation {
  return {
    outputFolder: ctx.env.outputFolder,
    stream,
    importDate: ctx.importDate,
    runId: ctx.runId,
    ...(ctx.slice !== undefined && { slice: ctx.slice }),
  };
}
