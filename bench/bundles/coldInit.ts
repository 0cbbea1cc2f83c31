import { pathToFileURL } from 'node:url';

const [file, exportName = 'handler'] = process.argv.slice(2);
const t0 = performance.now();
try {
  if (!file) throw new Error('coldInit: missing bundle path');
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown> & {
    default?: Record<string, unknown>;
  };
  const handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} exports no function "${exportName}"`);
  const readyMs = performance.now();
  const cpu = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.send?.({ ok: true, importMs: readyMs - t0, readyMs, cpuMs }, () => process.exit(0));
} catch (error) {
  process.send?.({ ok: false, error: String(error).slice(0, 500) }, () => process.exit(0));
}
