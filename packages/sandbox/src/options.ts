/** The sandbox's options, their defaults, and their validation (unknown keys are refused). */
import type { SourceName } from './api.ts';
import type { SandboxSources } from './double.ts';
import { SandboxOptionsError } from './errors.ts';
import { DEFAULT_FAULTS, type FaultOptions } from './faults.ts';
import { API_DOUBLES, knownSource, SOURCE_NAMES } from './sources.ts';

/** The credentials each API accepts: the JSON of the secret `api-credentials/<source>` (each double declares its own). */
export type SandboxCredentials = SandboxSources;

export interface SandboxOptions {
  /** Seed of every generated record and injected fault. @default 42 */
  seed?: number;
  /**
   * Records per stream at start (per repository for GitHub, per dataset for Socrata), for every
   * source or per source (`{ socrata: 25000 }`; unnamed sources keep the default). @default 2000
   */
  records?: number | Partial<Record<SourceName, number>>;
  /** Generated history spans this many days before `now`. @default 90 */
  historyDays?: number;
  /** The sandbox's "now" at start, in epoch ms: the initial history ends ten minutes before it. @default Date.now() */
  now?: number;
  /** Injected 429/503 on first attempts; `false` turns them off. @default { rateLimited: 0.01, unavailable: 0.01, retryAfterSeconds: 1 } */
  faults?: Partial<FaultOptions> | false;
  /** @default ['tributary-demo/api', 'tributary-demo/web'] */
  githubRepositories?: string[];
  /** Entries as `SOCRATA_DATASETS` lists them: `xxxx-xxxx` or `name=xxxx-xxxx`. @default ['erm2-nwe9', 'ydr8-5enu'] */
  socrataDatasets?: string[];
  /** Lifetime of a Hotmart access token. @default 3600 */
  hotmartTokenTtlSeconds?: number;
  /** @default fixed sandbox values (see DEFAULT_CREDENTIALS) */
  credentials?: Partial<SandboxCredentials>;
  /** @default a free port */
  port?: number;
}

export interface ResolvedOptions {
  seed: number;
  records: Record<SourceName, number>;
  historyDays: number;
  now: number;
  faults: FaultOptions | false;
  githubRepositories: string[];
  socrataDatasets: string[];
  hotmartTokenTtlSeconds: number;
  credentials: SandboxCredentials;
  port: number;
}

/** Each double's own credentials (its `sandboxApi.credentials`). */
export const DEFAULT_CREDENTIALS: SandboxCredentials = Object.fromEntries(
  API_DOUBLES.map((d) => [d.name, d.credentials]),
) as unknown as SandboxCredentials;

const KEYS = [
  'seed',
  'records',
  'historyDays',
  'now',
  'faults',
  'githubRepositories',
  'socrataDatasets',
  'hotmartTokenTtlSeconds',
  'credentials',
  'port',
];

/** An integer option ≥ `min`, or `fallback` when it is not given. */
function int(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new SandboxOptionsError(
      `sandbox option "${name}" must be an integer ≥ ${min}, got ${String(value)}`,
    );
  }
  return value;
}

/** A fault share in [0, 1], or `fallback` when it is not given. */
function share(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || value < 0 || value > 1) {
    throw new SandboxOptionsError(
      `sandbox option "faults.${name}" must be a share in [0, 1], got ${String(value)}`,
    );
  }
  return value;
}

export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key))
      throw new SandboxOptionsError(`unknown sandbox option "${key}"; valid: ${KEYS.join(', ')}`);
  }
  const repos = options.githubRepositories ?? ['tributary-demo/api', 'tributary-demo/web'];
  for (const r of repos) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(r))
      throw new SandboxOptionsError(`githubRepositories: "${r}" is not owner/repo`);
  }
  const datasets = options.socrataDatasets ?? ['erm2-nwe9', 'ydr8-5enu'];
  for (const d of datasets) {
    if (!/^(?:[a-z][a-z0-9_]*=)?[a-z0-9]{4}-[a-z0-9]{4}$/.test(d)) {
      throw new SandboxOptionsError(`socrataDatasets: "${d}" is not a 4x4 id (optionally name=id)`);
    }
  }
  const faults = options.faults;
  const credentials = { ...DEFAULT_CREDENTIALS };
  for (const [source, value] of Object.entries(options.credentials ?? {})) {
    (credentials as Record<string, unknown>)[knownSource(source, 'credentials')] = value;
  }
  return {
    seed: int('seed', options.seed, 42, 0),
    records: records(options.records, int),
    historyDays: int('historyDays', options.historyDays, 90, 1),
    now: int('now', options.now, Date.now(), 0),
    faults:
      faults === false
        ? false
        : {
            rateLimited: share('rateLimited', faults?.rateLimited, DEFAULT_FAULTS.rateLimited),
            unavailable: share('unavailable', faults?.unavailable, DEFAULT_FAULTS.unavailable),
            retryAfterSeconds: int('faults.retryAfterSeconds', faults?.retryAfterSeconds, 1, 0),
          },
    githubRepositories: repos,
    socrataDatasets: datasets,
    hotmartTokenTtlSeconds: int('hotmartTokenTtlSeconds', options.hotmartTokenTtlSeconds, 3600, 1),
    credentials,
    port: int('port', options.port, 0, 0),
  };
}

function records(
  value: SandboxOptions['records'],
  int: (name: string, value: number | undefined, fallback: number, min: number) => number,
): Record<SourceName, number> {
  const fallback = typeof value === 'number' || value === undefined ? int('records', value, 2000, 1) : 2000;
  const out = Object.fromEntries(SOURCE_NAMES.map((s) => [s, fallback])) as Record<SourceName, number>;
  if (typeof value === 'object') {
    for (const [source, n] of Object.entries(value)) {
      out[knownSource(source, 'records')] = int(`records.${source}`, n, 2000, 1);
    }
  }
  return out;
}
