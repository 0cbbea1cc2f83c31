/** Starts the loopback API (api/server.ts, bundled) in its own process and waits until it serves. */
import { fork } from 'node:child_process';

export interface BenchApi {
  /** e.g. `http://127.0.0.1:PORT` */
  base: string;
  /** The list endpoint the contenders read. */
  url: string;
  pages: number;
  /** Response bytes of all pages together. */
  bytes: number;
  stop(): Promise<void>;
}

export async function startApi(serverScript: string, records: number, pageSize: number): Promise<BenchApi> {
  const child = fork(serverScript, [String(records), String(pageSize)], {
    execArgv: ['--max-old-space-size=4096'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; pages: number; bytes: number }>((ok, fail) => {
    child.once('message', (m) => ok(m as { port: number; pages: number; bytes: number }));
    child.once('exit', (code) => fail(new Error(`bench API exited (${code}) before it was ready`)));
  });
  const base = `http://127.0.0.1:${ready.port}`;
  return {
    base,
    url: `${base}/v1/orders`,
    pages: ready.pages,
    bytes: ready.bytes,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
