/**
 * Summarizes a V8 `.cpuprofile` (from `pnpm bench --profile tributary`) as markdown: self time by
 * function and by module. Bench children are esbuild bundles; esbuild marks where each module
 * starts with a `// <path>` comment, which maps a bundle line back to its source module.
 *
 *   pnpm tsx bench/profile/summarize.ts bench/results/<run>/profiles/tributary-1000000.cpuprofile [--top 25]
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Module start lines of an esbuild bundle: `// node_modules/.pnpm/x/node_modules/x/lib/a.js`. */
function moduleMap(url: string): (line: number) => string {
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (!path || !existsSync(path)) return () => path || '(native)';
  const starts: [number, string][] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /^\/\/ ((?:node_modules|packages|functions|bench|\.\.)\S*)$/.exec(text);
      if (m) starts.push([i, m[1]!.replace(/^.*node_modules\/(?!\.pnpm)/, '')]);
    });
  return (line) => {
    let found = '(bundle)';
    for (const [start, name] of starts) {
      if (start > line) break;
      found = name;
    }
    return found;
  };
}

export function summarize(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let idle = 0;
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') {
      idle += us;
      selfUs.delete(id);
    }
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const maps = new Map<string, (line: number) => string>();
  const fnSelf = new Map<string, number>();
  const modSelf = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (url && !maps.has(url)) maps.set(url, moduleMap(url));
    const mod = url ? maps.get(url)!(lineNumber) : `(${functionName || 'native'})`;
    const fn = `${functionName || '(anonymous)'} — ${mod}`;
    fnSelf.set(fn, (fnSelf.get(fn) ?? 0) + us);
    modSelf.set(mod, (modSelf.get(mod) ?? 0) + us);
  }
  const table = (title: string, map: Map<string, number>) => [
    `| self % | self ms | ${title} |`,
    '| ---: | ---: | --- |',
    ...[...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `| ${((100 * us) / total).toFixed(1)} | ${(us / 1000).toFixed(0)} | ${k.replaceAll('|', '/')} |`,
      ),
  ];
  return [
    `Main thread: ${(total / 1000).toFixed(0)} ms busy (the % below are of it), ${(idle / 1000).toFixed(0)} ms idle. ` +
      'Work on the thread pool (zlib compression, crypto) is not in a V8 profile.',
    '',
    ...table('function — module', fnSelf),
    '',
    ...table('module', modSelf),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/profile/summarize.ts <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  const topArg = process.argv.indexOf('--top');
  const top = topArg > 0 ? Number(process.argv[topArg + 1]) : 25;
  console.log(summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top));
}
