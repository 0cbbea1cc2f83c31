/** The one loopback server the fakes share: a free port, a thrown listener answered 500, a taken port refused. */
import { describe, expect, it } from 'vitest';
import { readBody, serveLoopback } from '../src/index.ts';

describe('serveLoopback', () => {
  it('serves on 127.0.0.1, hands the listener the whole body, answers 500 when the listener throws', async () => {
    // Prepare
    const server = await serveLoopback(async (req, res) => {
      const body = (await readBody(req)).toString('utf8');
      if (body === 'boom') throw new Error('the listener failed');
      res.end(`got ${body}`);
    });
    try {
      // Act
      const ok = await fetch(server.url, { method: 'POST', body: 'hello' });
      const failed = await fetch(server.url, { method: 'POST', body: 'boom' });

      // Assess
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(await ok.text()).toBe('got hello');
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({ message: 'loopback server error: the listener failed' });
    } finally {
      await server.close();
    }
  });

  it('refuses a port already taken, with the system error', async () => {
    const first = await serveLoopback((_req, res) => res.end());
    try {
      await expect(serveLoopback((_req, res) => res.end(), { port: first.port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });
});
