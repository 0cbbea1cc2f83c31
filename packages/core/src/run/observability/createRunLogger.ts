/**
 * The invocation's structured JSON logger (Powertools Logger) with `runId` and `source` as
 * persistent keys. Level from `POWERTOOLS_LOG_LEVEL`/`LOG_LEVEL` as Powertools reads it.
 * @default level INFO (per-page and per-request lines are DEBUG, retries WARN)
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ReadObserver } from '../../http/readTypes.ts';
import type { StreamTelemetry } from './StreamTelemetry.ts';

export function createRunLogger(source: string, runId: string): Logger {
  return new Logger({ serviceName: source, persistentKeys: { runId, source } });
}

/** The reader's observer, dispatching to each stream's telemetry by name. */
export function observerFor(telemetry: ReadonlyMap<string, StreamTelemetry>): ReadObserver {
  return {
    onRequest: (info) => telemetry.get(info.stream)?.request(info),
    onRetry: (info) => telemetry.get(info.stream)?.retry(),
  };
}
