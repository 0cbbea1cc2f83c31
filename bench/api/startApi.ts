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

export async function startApi(
  serverScript: string,
  records: number,
  pageSize: number,
  options: { gzip?: boolean } = {},
): Promise<BenchApi> {
  const child = fork(serverScript, [String(records), String(pageSize), ...(options.gzip ? ['gzip'] : [])], {
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

export interface LimitedApi {
  base: string;
  stats(): Promise<import('./limitedServer.ts').ApiStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts api/limitedServer.ts (bundled) in its own process: latency, a strict limit, 429 beyond it. */
export async function startLimitedApi(
  serverScript: string,
  options: import('./limitedServer.ts').LimitedApiOptions,
): Promise<LimitedApi> {
  const child = fork(serverScript, [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(key: string) =>
    new Promise<T>((ok, fail) => {
      const onMessage = (m: unknown) => {
        if (m && typeof m === 'object' && key in m) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          ok(m as T);
        }
      };
      const onExit = (code: number | null) => fail(new Error(`bench API exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { port } = await next<{ port: number }>('port');
  return {
    base: `http://127.0.0.1:${port}`,
    stats: async () => {
      const reply = next<{ stats: import('./limitedServer.ts').ApiStats }>('stats');
      child.send('stats');
      return (await reply).stats;
    },
    reset: async () => {
      const reply = next('reset');
      child.send('reset');
      await reply;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
