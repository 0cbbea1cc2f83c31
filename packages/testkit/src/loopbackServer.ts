/**
 * The one loopback HTTP server the fakes share (the API doubles via `startApi`, the fixture API, the
 * fault proxy, the sandbox): node:http on 127.0.0.1, a free port unless one is asked for, and a
 * `close()` that ends kept-alive connections too, so a test's `afterAll` never waits on a socket.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export type LoopbackListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Serves `listener` on loopback; rejects when the port cannot be had (e.g. `EADDRINUSE`). A listener
 * that throws (or rejects) answers 500 if it can, else drops the connection.
 */
export async function serveLoopback(
  listener: LoopbackListener,
  options: { port?: number } = {},
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const failed = (error: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `loopback server error: ${(error as Error)?.message ?? error}` }));
    };
    try {
      Promise.resolve(listener(req, res)).catch(failed);
    } catch (error) {
      failed(error);
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A request's whole body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
