/**
 * The sandbox: one node:http server on loopback speaking the four shipped sources' APIs. Routes are
 * told apart by their path shape (`/repos/…`, `/v1/charges`, `/payments/api/v1/sales/history`,
 * `/resource/<id>.json`), so every source's `API_BASE_URL` is the same root URL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, serveLoopback } from '@tributary/testkit';
import { createGithubApi } from '../../../functions/github/double/index.ts';
import { createHotmartApi } from '../../../functions/hotmart/double/index.ts';
import { createSocrataApi } from '../../../functions/socrata/double/index.ts';
import { createStripeApi } from '../../../functions/stripe/double/index.ts';
import {
  type SandboxApi,
  type SandboxRequest,
  type SandboxResponse,
  SOURCE_NAMES,
  type SourceName,
} from './api.ts';
import { SandboxOptionsError } from './errors.ts';
import { FaultPlan } from './faults.ts';
import { resolveOptions, type SandboxCredentials, type SandboxOptions } from './options.ts';
import { ServedLog, type ServedReport } from './ServedLog.ts';
import { Timeline } from './time.ts';

/** How a source is made to fail: every request answered 500, or its credentials refused. */
export type FailureMode = 'error' | 'unauthorized';

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
  const apis: Record<SourceName, SandboxApi> = {
    github: createGithubApi({
      seed: o.seed,
      timeline,
      token: o.credentials.github.token,
      repositories: o.githubRepositories,
      records: o.records.github,
    }),
    stripe: createStripeApi({
      seed: o.seed,
      timeline,
      apiKey: o.credentials.stripe.api_key,
      records: o.records.stripe,
    }),
    hotmart: createHotmartApi({
      seed: o.seed,
      timeline,
      clientId: o.credentials.hotmart.client_id,
      clientSecret: o.credentials.hotmart.client_secret,
      tokenTtlSeconds: o.hotmartTokenTtlSeconds,
      records: o.records.hotmart,
    }),
    socrata: createSocrataApi({
      seed: o.seed,
      timeline,
      appToken: o.credentials.socrata.app_token,
      datasets: o.socrataDatasets,
      records: o.records.socrata,
    }),
  };
  const faults = new FaultPlan(o.seed, o.faults);
  const log = new ServedLog();
  const failures = new Map<SourceName, FailureMode>();
  let epoch = 0;

  function route(
    request: SandboxRequest,
    path: string,
  ): { api: SandboxApi; response: SandboxResponse } | undefined {
    for (const api of Object.values(apis)) {
      for (const r of api.routes) {
        if (r.method !== request.method) continue;
        const match = r.pattern.exec(path);
        if (!match) continue;
        request.match = match;
        log.request(api.name);
        const failure = failures.get(api.name);
        if (failure) {
          log.error(api.name);
          return { api, response: failure === 'error' ? api.serverError() : api.unauthorized() };
        }
        if (!r.public) {
          const refused = api.authorize(request);
          if (refused) {
            log.error(api.name);
            return { api, response: refused };
          }
        }
        const fault = r.noFaults
          ? undefined
          : faults.decide(epoch, request.method, request.url.pathname + request.url.search);
        if (fault) {
          log.fault(api.name);
          return {
            api,
            response: fault === 'rateLimited' ? api.rateLimited(faults.retryAfterSeconds) : api.unavailable(),
          };
        }
        const result = r.handle(request);
        if (result.served && result.status === 200)
          log.page(api.name, result.served.stream, result.served.keys);
        return { api, response: result };
      }
    }
    return undefined;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = await readBody(req);
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      url,
      match: [] as unknown as RegExpMatchArray,
      headers: req.headers,
      body: received.toString('utf8'),
    };
    const found = route(request, url.pathname.replace(/\/+$/, ''));
    const response = found?.response ?? {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: { message: `sandbox: no API answers ${request.method} ${url.pathname}` },
    };
    const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  const server = await serveLoopback(onRequest, { port: o.port });
  const url = server.url;
  const known = (source: string): SourceName => {
    if (!SOURCE_NAMES.includes(source as SourceName)) {
      throw new SandboxOptionsError(`unknown source "${source}"; valid: ${SOURCE_NAMES.join(', ')}`);
    }
    return source as SourceName;
  };

  return {
    url,
    tokenUrl: `${url}/security/oauth/token`,
    credentials: o.credentials,
    githubRepositories: o.githubRepositories,
    socrataDatasets: o.socrataDatasets,
    env(source) {
      const env: Record<string, string> = { API_BASE_URL: url };
      if (known(source) === 'hotmart') env.AUTH_TOKEN_URL = `${url}/security/oauth/token`;
      if (source === 'github') env.GITHUB_REPOSITORIES = o.githubRepositories.join(',');
      if (source === 'socrata') {
        env.SOCRATA_DOMAIN = 'data.cityofnewyork.us';
        env.SOCRATA_DATASETS = o.socrataDatasets.join(',');
      }
      return env;
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
