/**
 * A TCP-level HTTP proxy on loopback in front of a real endpoint (the moto server): requests pass
 * through unchanged until the test cuts them — then a matching request's connection is destroyed
 * mid-flight, as when the network or the endpoint goes away. Point `AWS_ENDPOINT_URL` at it.
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { serveLoopback } from './loopbackServer.ts';

export interface ProxiedRequest {
  method: string;
  /** Path and query, e.g. `/bucket/key?uploadId=…`. */
  url: string;
  cut: boolean;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  requests: ProxiedRequest[];
  /**
   * From now on, drop the connection of every request `when` matches (`undefined` heals). `headers`
   * tell apart the JSON-RPC calls of one endpoint (`x-amz-target: secretsmanager.PutSecretValue`).
   */
  cut(
    when: ((req: { method: string; url: string; headers: IncomingHttpHeaders }) => boolean) | undefined,
  ): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  let when: ((req: { method: string; url: string; headers: IncomingHttpHeaders }) => boolean) | undefined;
  const server = await serveLoopback((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const cut = when?.({ method, url, headers: req.headers }) ?? false;
    requests.push({ method, url, cut });
    if (cut) {
      req.socket.destroy();
      return;
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path: url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  return {
    endpoint: server.url,
    requests,
    cut: (predicate) => {
      when = predicate;
    },
    close: server.close,
  };
}
