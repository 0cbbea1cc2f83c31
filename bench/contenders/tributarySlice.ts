/**
 * One slice of a fanned-out backfill (bench/ingest/runFanOut.ts): the fan-out source through the
 * core's real `createHandler`, invoked as the state machine's slice Map invokes it — `{ runId,
 * source, window: <the slice>, slice: true, continuation }` until `complete` — in its own process,
 * its rate budget shared with the other slices' processes through the coordination store
 * (`COORDINATION_TABLE`, DynamoDB on moto). The handler is built at module load (cold init's
 * business); the process then says `{ ready: true }` and waits for `'go'`, so that every slice starts
 * at once and the measured work is the run, not Node's start-up.
 */
import { createHandler } from '@tributary/core';
import { fanOutSource } from './floorCase.ts';
import { fakeContext } from './lambdaContext.ts';
import { measure, readConfig } from './measure.ts';

const fanOut = readConfig().fanOut;
if (!fanOut) throw new Error('tributarySlice: config.fanOut missing');
const source = fanOutSource(fanOut);
const handler = createHandler(source);

type Result = {
  status: string;
  continuation: unknown;
  streams: { records: number; pages: number; manifest: string | null }[];
};

await new Promise<void>((go) => {
  process.on('message', (m) => {
    if (m === 'go') go();
  });
  process.send?.({ ready: true });
});

await measure(async (config) => {
  let records = 0;
  let pages = 0;
  let invocations = 0;
  let continuation: unknown = null;
  const manifests: string[] = [];
  for (;;) {
    const result = (await handler(
      { runId: config.runId, source: source.name, window: fanOut.slice, slice: true, continuation } as never,
      fakeContext(),
    )) as Result;
    invocations++;
    for (const s of result.streams) {
      records += s.records;
      pages += s.pages;
      if (s.manifest) manifests.push(s.manifest);
    }
    if (result.status === 'complete') break;
    if (result.status !== 'partial') throw new Error(`handler returned status ${result.status}`);
    continuation = result.continuation;
  }
  return { records, detail: { pages, invocations, manifests } };
});
