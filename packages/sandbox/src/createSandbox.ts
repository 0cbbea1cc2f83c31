/**
 * The sandbox: one node:http server on loopback speaking the API of each source whose double exports
 * a `sandboxApi` (sources.ts). Routes are told apart by their path shape (`/repos/…`, `/v1/charges`,
 * `/payments/api/v1/sales/history`, `/resource/<id>.json`), so every source's `API_BASE_URL` is the
 * same root URL.
 */

import type { SandboxApi, SourceName } from './api.ts';
import { FaultPlan } from './faults.ts';
import {
  type ResolvedOptions,
  resolveOptions,
  type SandboxCredentials,
  type SandboxOptions,
} from './options.ts';
import { ServedLog, type ServedReport } from './ServedLog.ts';
import { type FailureMode, serveApis } from './serveApis.ts';
import { API_DOUBLES, knownSource } from './sources.ts';
import { Timeline } from './time.ts';

export type { FailureMode } from './serveApis.ts';

export interface Sandbox {
  /** `http://127.0.0.1:<port>`: the `API_BASE_URL` of every source. */
  readonly url: string;
  /** Hotmart's OAuth2 token endpoint here: the hotmart source's `HOTMART_AUTH_TOKEN_URL` (or `AUTH_TOKEN_URL`). */
  readonly tokenUrl: string;
  /** The JSON of each source's secret `api-credentials/<source>`. */
  readonly credentials: SandboxCredentials;
  readonly githubRepositories: readonly string[];
  readonly socrataDatasets: readonly string[];
  /** The environment a source's handler needs to call the sandbox (besides AWS and the secret name). */
  env(source: SourceName): Record<string, string>;
  /** Moves time on: updates some records and adds new ones, dated just before `now`. */
  advance(now?: number): void;
  /** Unique records, pages, requests and faults served so far, per source and stream. */
  served(): ServedReport;
  /** The primary keys served so far for a stream. */
  servedKeys(source: SourceName, stream: string): Set<string>;
  resetServed(): void;
  /** Makes a source fail (`undefined` heals it). */
  fail(source: SourceName, mode: FailureMode | undefined): void;
  /** A stream's current records, as a full read would return them. */
  records(source: SourceName, stream: string): Record<string, unknown>[];
  streams(source: SourceName): string[];
  stop(): Promise<void>;
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const o = resolveOptions(options);
  const timeline = new Timeline(o.now, o.historyDays);
  const apis = createApis(o, timeline);
  const faults = new FaultPlan(o.seed, o.faults);
  const log = new ServedLog();
  const failures = new Map<SourceName, FailureMode>();
  let epoch = 0;

  const server = await serveApis({ apis, faults, log, failures, epoch: () => epoch }, o.port);
  const url = server.url;
  const known = (source: string): SourceName => knownSource(source);

  return {
    url,
    tokenUrl: `${url}/security/oauth/token`,
    credentials: o.credentials,
    githubRepositories: o.githubRepositories,
    socrataDatasets: o.socrataDatasets,
    env(source) {
      const double = API_DOUBLES.find((d) => d.name === known(source));
      return { API_BASE_URL: url, ...double?.env?.(url, o) };
    },
    advance(now = Date.now()) {
      epoch++;
      for (const api of Object.values(apis)) api.advance(now, epoch);
    },
    served: () => log.snapshot(),
    servedKeys: (source, stream) => log.uniqueKeys(known(source), stream),
    resetServed: () => log.reset(),
    fail(source, mode) {
      if (mode === undefined) failures.delete(known(source));
      else failures.set(known(source), mode);
    },
    records: (source, stream) => apis[known(source)].records(stream),
    streams: (source) => apis[known(source)].streams(),
    stop: server.close,
  };
}

/** One API per double, seeded and dated by the options. */
function createApis(o: ResolvedOptions, timeline: Timeline): Record<SourceName, SandboxApi> {
  const apis = API_DOUBLES.map((double) => {
    const name: SourceName = double.name;
    const api = double.create({
      seed: o.seed,
      timeline,
      records: o.records[name],
      credentials: o.credentials[name],
      options: o,
    });
    return [name, api] as const;
  });
  return Object.fromEntries(apis) as Record<SourceName, SandboxApi>;
}
