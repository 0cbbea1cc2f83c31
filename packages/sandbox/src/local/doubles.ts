/**
 * The registered sources the sandbox does not speak (a source made with `pnpm new-source`, say),
 * run locally against their own API doubles: `functions/<name>/double/index.ts` exports a
 * `sandboxDouble` (@tributary/testkit's `SourceDouble`: its secret and its routes), which is served
 * here on loopback. A registered source without one is left out of a local run, with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type LoopbackApi, type SourceDouble, startApi } from '@tributary/testkit';
import { SandboxError } from '../errors.ts';
import { doubleModule, SOURCE_NAMES } from '../sources.ts';
import { repoRoot } from './paths.ts';

export { doubleModule } from '../sources.ts';

export interface MountedDouble {
  source: string;
  /** The double's `API_BASE_URL`. */
  url: string;
  /** e.g. `functions/casenotes-data/double/index.ts`. */
  module: string;
  /** The records it serves per stream. */
  records: number;
  /** The secret `api-credentials/<source>` it accepts, when it has auth. */
  secret?: Record<string, string>;
  /** What the source's function needs to call it (`API_BASE_URL` and the double's own). */
  env: Record<string, string>;
}

export interface LeftOutSource {
  source: string;
  /** Why it cannot run locally, and what to do: one line. */
  reason: string;
}

export interface Doubles {
  mounted: MountedDouble[];
  leftOut: LeftOutSource[];
  stop(): Promise<void>;
}

/**
 * The sources registered in serverless.yml's `custom.sources`, read as the generator writes it:
 * the `sources:` list after the `# new-source: sources` marker (see the header of serverless.yml).
 */
export function registeredSources(root = repoRoot): string[] {
  const lines = readFileSync(join(root, 'serverless.yml'), 'utf8').split('\n');
  const marker = lines.findIndex((l) => l.includes('new-source: sources'));
  const list = lines.findIndex((l, i) => i > marker && /^\s*sources:\s*$/.test(l));
  if (marker < 0 || list < 0) {
    throw new SandboxError(
      `${join(root, 'serverless.yml')}: no "sources:" list after "# new-source: sources"; register sources as its header describes`,
    );
  }
  const names: string[] = [];
  for (let i = list + 1; i < lines.length && /^\s+- \S/.test(lines[i]!); i++) {
    names.push(lines[i]!.trim().slice(2).trim());
  }
  return names;
}

/** Serves the double of each of `sources` the sandbox does not speak; the others are ignored. */
export async function mountDoubles(
  sources: readonly string[],
  options: { records: number; root?: string },
): Promise<Doubles> {
  const root = options.root ?? repoRoot;
  const mounted: MountedDouble[] = [];
  const leftOut: LeftOutSource[] = [];
  const servers: LoopbackApi[] = [];
  const stop = async () => {
    await Promise.allSettled(servers.map((s) => s.close()));
  };
  try {
    for (const source of sources) {
      if ((SOURCE_NAMES as readonly string[]).includes(source)) continue;
      const module = doubleModule(source);
      const file = join(root, module);
      if (!existsSync(file)) {
        leftOut.push({ source, reason: `no API double: ${module} does not exist` });
        continue;
      }
      const exported = ((await import(pathToFileURL(file).href)) as { sandboxDouble?: SourceDouble })
        .sandboxDouble;
      if (!exported) {
        leftOut.push({
          source,
          reason: `no API double: ${module} exports no sandboxDouble (a SourceDouble, see @tributary/testkit)`,
        });
        continue;
      }
      if (typeof exported.routes !== 'function') {
        throw new SandboxError(`${module}: sandboxDouble.routes must be a function (records) => route`);
      }
      const api = await startApi(exported.routes(options.records));
      servers.push(api);
      mounted.push({
        source,
        url: api.url,
        module,
        records: options.records,
        ...(exported.secret ? { secret: exported.secret } : {}),
        env: { API_BASE_URL: api.url, ...exported.env?.(api.url) },
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { mounted, leftOut, stop };
}

/**
 * The state machine input that runs every registered source a local run can run: `{}` (the
 * default: all registered) when none is left out, else the others by name.
 */
export function localPipelineInput(
  registered: readonly string[],
  leftOut: readonly LeftOutSource[],
): Record<string, unknown> {
  if (leftOut.length === 0) return {};
  const out = new Set(leftOut.map((l) => l.source));
  const sources = registered.filter((s) => !out.has(s));
  if (sources.length === 0) {
    throw new SandboxError(
      `no registered source can run locally: ${leftOut.map((l) => `${l.source} (${l.reason})`).join('; ')}`,
    );
  }
  return { sources };
}
