/**
 * The first invocation of a run fixes what the run is: its import date, its streams and each
 * stream's window, so that continuations and reruns of the same runId read the same thing.
 *
 * A stream's window is, in order of precedence:
 * 1. the event's `window` (backfill; `until` defaults to now);
 * 2. the window in this run's manifest, if the run already completed that stream (a rerun);
 * 3. the window in the watermark state, if this run was the last to move it (a rerun whose manifest
 *    key cannot be found, e.g. a runId without a date);
 * 4. incremental: since = watermark − `lookbackSeconds`, else `incremental.initialSince`, else
 *    everything; until = now. Other streams: everything until now.
 */
import type { SourceDefinition } from '../definition/schema.ts';
import type { StoredWindow } from '../manifest/Manifest.ts';
import { importDateOf, manifestKey, stateKey } from '../sink/keys.ts';
import { readWatermark } from '../state/Watermark.ts';
import type { LandingStorage } from '../storage/LandingStorage.ts';
import type { Continuation, StreamProgress } from './continuation.ts';
import type { HandlerEnvironment } from './environment.ts';
import type { HandlerEvent } from './event.ts';
import { planStreams } from './planStreams.ts';
import { sliceIdOf } from './slices.ts';

export interface StartRunInput {
  definition: SourceDefinition;
  env: HandlerEnvironment;
  storage: LandingStorage;
  event: HandlerEvent;
  now: Date;
}

export async function startRun({
  definition,
  env,
  storage,
  event,
  now,
}: StartRunInput): Promise<Continuation> {
  const { runId } = event;
  const plan = planStreams(definition, event.streams);
  const importDate = importDateOf(runId, now)!;
  const streams: Record<string, StreamProgress> = {};
  for (const stream of plan) {
    const where = { source: definition.name, stream };
    let window: StoredWindow;
    const reading = { key: '' };
    try {
      window = await windowOf(stream, reading);
    } catch (e) {
      throw storage.failure('cannot read the run state', reading.key, e, where);
    }
    streams[stream] = freshProgress(window);
    if (definition.streams[stream]!.parent?.state === 'perParent') {
      streams[stream].parents = { since: event.window ? 'window' : 'perParent', checkpoint: null };
    }
  }
  const slice =
    event.slice && event.window?.until ? sliceIdOf(event.window as { since: Date; until: Date }) : undefined;
  return { v: 1, runId, importDate, startedAt: now.toISOString(), plan, streams, ...(slice && { slice }) };

  /** `reading.key` is the key being read, for the error. */
  async function windowOf(stream: string, reading: { key: string }): Promise<StoredWindow> {
    if (event.window) {
      return {
        since: event.window.since.toISOString(),
        until: (event.window.until ?? now).toISOString(),
      };
    }
    const key = manifestKey({ outputFolder: env.outputFolder, stream, importDate, runId });
    reading.key = key;
    const landed = await storage.readManifest(key);
    if (landed?.window) return landed.window;
    const incremental = definition.streams[stream]!.incremental;
    if (!incremental) return { since: null, until: now.toISOString() };
    reading.key = stateKey(env.outputFolder, stream);
    const state = await readWatermark(storage, reading.key);
    if (state?.runId === runId && state.window) return state.window;
    if (state?.watermark) {
      const since = new Date(Date.parse(state.watermark) - incremental.lookbackSeconds * 1000);
      return { since: since.toISOString(), until: now.toISOString() };
    }
    return {
      since: incremental.initialSince ? new Date(incremental.initialSince).toISOString() : null,
      until: now.toISOString(),
    };
  }
}

/** A stream's progress before its first page. */
function freshProgress(window: StoredWindow): StreamProgress {
  return {
    window,
    startedAt: null,
    done: false,
    position: null,
    parts: [],
    records: 0,
    pages: 0,
    bytes: 0,
    maxCursor: null,
    cutShort: false,
    cutAt: null,
    warnings: [],
    filteredOut: 0,
    manifest: null,
    watermark: null,
  };
}
