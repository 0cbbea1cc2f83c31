/**
 * The contender side of a measurement. A contender is a fresh Node process (forked by the bench
 * with IPC); it reads its config from argv[2], does its work once, and sends back what it cost:
 * wall time and CPU time (user + sys) of the work itself, module loading excluded (cold init is
 * measured on its own), and the process's peak RSS.
 */

export interface ContenderConfig {
  /** The loopback API's list endpoint, e.g. `http://127.0.0.1:PORT/v1/orders`. */
  apiUrl: string;
  /** The API's origin, for Tributary's `API_BASE_URL`. */
  apiBase: string;
  records: number;
  bucket: string;
  /** A key prefix unique to this run. */
  prefix: string;
  runId: string;
  /** The floor scenario's case (bench/ingest/runFloor.ts); absent in the instant scenario. */
  floor?: import('./floorCase.ts').FloorCase;
  /** The fan-out case (bench/ingest/runFanOut.ts): the source's budget and this process's slice. */
  fanOut?: import('./floorCase.ts').FanOutSource & { slice: import('./floorCase.ts').SliceWindow };
}

export interface ContenderResult {
  ok: boolean;
  /** Why it failed (a naive run at 1M may not fit in one string). */
  error?: string;
  records: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Peak resident set size of the process, bytes. */
  peakRssBytes: number;
  memoryAtEnd?: NodeJS.MemoryUsage;
  /** What the contender says about itself (pages, bytes landed, …). */
  detail?: Record<string, unknown>;
}

export function readConfig(): ContenderConfig {
  const raw = process.argv[2];
  if (!raw) throw new Error('contender: missing JSON config in argv[2]');
  return JSON.parse(raw) as ContenderConfig;
}

/** Runs `work` once, measures it, reports over IPC and exits. */
export async function measure(
  work: (config: ContenderConfig) => Promise<{ records: number; detail?: Record<string, unknown> }>,
): Promise<void> {
  const config = readConfig();
  const allocations = process.env.BENCH_ALLOCATION_PROFILE ? await startAllocationProfile() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let result: ContenderResult;
  try {
    const { records, detail } = await work(config);
    result = { ok: true, records, ...elapsed(t0, cpu0), ...(detail ? { detail } : {}) };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    result = { ok: false, error: message.slice(0, 500), records: 0, ...elapsed(t0, cpu0) };
  }
  if (allocations) await allocations(process.env.BENCH_ALLOCATION_PROFILE!);
  process.send?.(result, () => process.exit(0));
}

/**
 * Samples every allocation of the work, collected or not (`--heap-prof` keeps only what is alive at
 * exit): where the garbage comes from. Written as a `.heapprofile` (Chrome DevTools, or
 * `bench/profile/allocations.ts`). Debugging aid: it costs CPU, so figures of such a run are off.
 */
async function startAllocationProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async (file) => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

function elapsed(t0: number, cpu0: NodeJS.CpuUsage) {
  const cpu = process.cpuUsage(cpu0);
  return {
    wallMs: performance.now() - t0,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    /** At the end of the work: where the memory is (V8 heap vs Buffers and other native memory). */
    memoryAtEnd: process.memoryUsage(),
  };
}
