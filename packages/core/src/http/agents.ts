/**
 * Keep-alive agents, one pair per connect timeout, shared by every reader in the container: a warm
 * Lambda reuses its connections. The connect timeout is enforced on the socket itself, from creation
 * to TCP connect, so it never cuts a slow but live response (that is the total timeout's job).
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

type CreateConnection = (options: object, callback: (err: Error | null, socket: Duplex) => void) => Duplex;

function withConnectTimeout<A extends http.Agent>(agent: A, connectMs: number): A {
  const create = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(agent);
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (options, callback) => {
    const socket = create(options, callback);
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`connect timeout after ${connectMs} ms`), { code: 'ETIMEDOUT' });
      socket.destroy(error);
    }, connectMs);
    timer.unref();
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
  return agent;
}

const agents = new Map<number, { http: http.Agent; https: https.Agent }>();

export function keepAliveAgents(connectMs: number): { http: http.Agent; https: https.Agent } {
  let pair = agents.get(connectMs);
  if (!pair) {
    pair = {
      http: withConnectTimeout(new http.Agent({ keepAlive: true, scheduling: 'lifo' }), connectMs),
      https: withConnectTimeout(new https.Agent({ keepAlive: true, scheduling: 'lifo' }), connectMs),
    };
    agents.set(connectMs, pair);
  }
  return pair;
}
