/**
 * One rate budget per credential across processes (issue 16, item 2), measured where it counts, at
 * the server: 8 OS processes of one source (budgetWorker.ts, each its own Node with its own core),
 * sharing the credential's budget through the coordination store on moto, read from a loopback
 * server that refuses the (N + 1)-th request in any 1 s window. Asserted on the server's arrival
 * counts, not on our own timing: no 429 and never more than N in a window (the invariant), and the
 * achieved rate (arrivals over the span from the first arrival to the last) not collapsed: at least
 * half of N. The goal, ≥ 90 % of N, is a speed goal: on a quiet machine this test's runs
 * reach 9.3–9.5 of 10, but under load (8 processes on 2 loaded cores) 1 run in 4 fell to ~8.7, so
 * it is reported here (console) and not asserted — speed is measured by benchmarks, not tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ApiRequest, startApi, strictWindow } from '@tributary/testkit';
import { afterEach, expect, test } from 'vitest';
import { coordinationTable } from './support.ts';

/** A worker process: resolves `ready` when it printed so, `done` with its stdout when it exits. */
function worker(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<string>;
} {
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
    timeout: 120_000,
  });
  let stdout = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('ready\n')) onReady();
  });
  const done = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`worker exited ${code}: ${stdout}`);
    return stdout;
  });
  return { child, ready: Promise.race([ready, done.then(() => {})]), done };
}
const WORKER = fileURLToPath(new URL('./budgetWorker.ts', import.meta.url));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const N = 10;
const PROCESSES = 8;
/** Each process: 7 pages and the empty one that ends its walk = 64 requests in all. */
const PAGES = 7;
const page = (req: ApiRequest) => {
  const p = Number(req.query.get('page'));
  return { body: p <= PAGES ? [{ id: `${req.path}-${p}` }] : [] };
};

test(`${PROCESSES} processes of one credential at requestsPerSecond: ${N} never put ${N + 1} requests in a 1 s window, and keep the rate from collapsing`, async () => {
  // Prepare: the strict server, the coordination table, the credential's secret
  const server = strictWindow(page, { limit: N, windowMs: 1000 });
  const api = await startApi(server.route);
  closers.push(api.close);
  const table = await coordinationTable('budget');
  const secret = `api-credentials/budget-test-${process.pid}-${Date.now()}`;
  const sm = new SecretsManagerClient({});
  await sm.send(new CreateSecretCommand({ Name: secret, SecretString: JSON.stringify({ token: 't0k3n' }) }));
  sm.destroy();

  const workers = Array.from({ length: PROCESSES }, (_, i) =>
    worker({ API_URL: api.url, TABLE: table, SECRET: secret, WORKER: String(i), RATE: String(N) }),
  );
  closers.push(async () => {
    for (const w of workers) w.child.kill();
  });
  await Promise.all(workers.map((w) => w.ready));

  // Act: 8 processes at once
  for (const w of workers) w.child.stdin!.end('go\n');
  const outputs = await Promise.all(workers.map((w) => w.done));

  // Assess: every process read all its records, with no warning (the store answered throughout)
  for (const stdout of outputs) {
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(last).toEqual({ records: PAGES, warnings: [] });
  }
  const arrivals = [...server.arrivals].sort((a, b) => a - b);
  expect(arrivals).toHaveLength(PROCESSES * (PAGES + 1));
  expect(server.refused()).toBe(0);
  expect(server.mostInWindow()).toBeLessThanOrEqual(N);
  // the measure: requests over the span from the first arrival to the last
  const achieved = (arrivals.length * 1000) / (arrivals.at(-1)! - arrivals[0]!);
  console.log(`shared budget: ${achieved.toFixed(2)} requests/s achieved of ${N} (goal ≥ ${0.9 * N})`);
  expect(achieved).toBeGreaterThanOrEqual(0.5 * N);
}, 180_000);
