/**
 * Tributary on the floor scenario: the source for the case (contenders/floorCase.ts, built from the
 * config at run time) through the core's real `createHandler`, as tributary.ts runs the bench source.
 */
import { createHandler } from '@tributary/core';
import { floorSource } from './floorCase.ts';
import { fakeContext } from './lambdaContext.ts';
import { measure, readConfig } from './measure.ts';

// Built at module load, as the function's handler is (cold init's business, not the work's).
const floor = readConfig().floor;
if (!floor) throw new Error('tributaryFloor: config.floor missing');
const source = floorSource(floor);
const handler = createHandler(source);

await measure(async (config) => {
  const result = (await handler({ runId: config.runId, source: source.name }, fakeContext())) as {
    status: string;
    streams: { records: number; pages: number }[];
  };
  if (result.status !== 'complete') throw new Error(`handler returned status ${result.status}`);
  return {
    records: result.streams.reduce((sum, s) => sum + s.records, 0),
    detail: { pages: result.streams.reduce((sum, s) => sum + s.pages, 0) },
  };
});
