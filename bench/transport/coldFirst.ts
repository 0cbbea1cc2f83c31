/**
 * The transport A/B's cold init, in a fresh process: `require()` a function bundle (as Lambda's
 * runtime loads a `.cjs` handler), which builds the handler, then send the first request through the
 * bundle's own transport. Reports CPU of the whole process (all threads) at both points: Node's boot
 * included, so the parent judges it against `node -e 0` measured in the same run.
 *
 * argv: <bundle.cjs> <url>
 */
import { createRequire } from 'node:module';

const [file, url] = process.argv.slice(2);
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
try {
  if (!file || !url) throw new Error('coldFirst: expected <bundle> <url>');
  const mod = createRequire(import.meta.url)(file) as {
    handler?: unknown;
    transmit?: (
      r: { method: 'GET'; url: URL; headers: Record<string, string> },
      t: { connectMs: number; totalMs: number },
    ) => Promise<{ status: number; body: Buffer }>;
  };
  if (typeof mod.handler !== 'function' || typeof mod.transmit !== 'function')
    throw new Error(`${file} exports no handler and transmit`);
  const readyCpuMs = cpuMs();
  const res = await mod.transmit(
    { method: 'GET', url: new URL(url), headers: { accept: 'application/json' } },
    { connectMs: 5_000, totalMs: 30_000 },
  );
  if (res.status !== 200) throw new Error(`first request: HTTP ${res.status}`);
  JSON.parse(res.body.toString('utf8'));
  const firstCpuMs = cpuMs();
  process.send?.({ ok: true, readyCpuMs, firstCpuMs }, () => process.exit(0));
} catch (error) {
  process.send?.({ ok: false, error: String(error).slice(0, 500) }, () => process.exit(0));
}
