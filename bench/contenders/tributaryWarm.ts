/**
 * The small run's warm figure: the same handler as tributary.ts invoked three times in one process
 * (a cold container, then a warm one twice), 1,000 records each, under new run ids. The first
 * invocation (each into a folder of its own, so each lands all 1,000 records) pays the one-time lazy set-up (the SDK's first requests, V8 compiling every function on
 * the path the first time it runs); the later ones are what a warm container pays per invocation.
 */
import { createHandler } from '@tributary/core';
import { fakeContext } from './lambdaContext.ts';
import { measure } from './measure.ts';
import source from './source.ts';

const handler = createHandler(source);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

await measure(async ({ runId }) => {
  const invocationsCpuMs: number[] = [];
  let records = 0;
  const folder = process.env.OUTPUT_FOLDER;
  for (let i = 0; i < 3; i++) {
    // A folder of its own per invocation (the handler reads the environment per invocation): no
    // watermark from the one before, so each lands the same 1,000 records, not the increment since.
    process.env.OUTPUT_FOLDER = `${folder}/${i}`;
    const t0 = cpuMs();
    const result = (await handler({ runId: `${runId}-${i}`, source: source.name }, fakeContext())) as {
      status: string;
      streams: { records: number }[];
    };
    invocationsCpuMs.push(cpuMs() - t0);
    if (result.status !== 'complete') throw new Error(`handler returned status ${result.status}`);
    records = result.streams.reduce((sum, s) => sum + s.records, 0);
  }
  return { records, detail: { invocationsCpuMs } };
});
