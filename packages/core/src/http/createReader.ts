/**
 * `createReader(definition, context)`: the entry point of the HTTP layer. One reader per source and
 * invocation; its streams share one rate limiter, one set of credentials and one redactor.
 *
 * Window: the reader sends `window.since` as given (the caller subtracts `lookbackSeconds` from
 * the watermark); without one it falls back to `incremental.initialSince`, else the window params
 * that need `{since}` are left out (a full read). A stream with `incremental.changes` reads its
 * change feed or its own endpoint in full (http/changeFeed.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import pkg from '../../package.json' with { type: 'json' };
import { createAuth, readsSecret, secretKeysOf, worksWithoutSecret } from '../auth/registry.ts';
import type { AuthContext } from '../auth/types.ts';
import { type CoordinationStore, CoordinationUnavailable } from '../coordination/CoordinationStore.ts';
import type { SourceDefinition, StreamDefinition } from '../definition/schema.ts';
import { ConfigurationError } from '../errors.ts';
import { readJobStream } from '../job/readJobStream.ts';
import { type Limiter, RateLimiter } from '../ratelimit/RateLimiter.ts';
import { SharedRateLimiter } from '../ratelimit/SharedRateLimiter.ts';
import { type Credentials, credentialsFrom, loadCredentials } from '../secrets/credentials.ts';
import type { ReaderContext, StreamReader } from '../stream/types.ts';
import { changesStreamOf, fullStreamOf, readWithChanges } from './changeFeed.ts';
import { HttpClient } from './HttpClient.ts';
import { Redactor } from './Redactor.ts';
import { type ReadDeps, readStream } from './readStream.ts';
import { compileStream, type StreamPlan } from './streamPlan.ts';
import type { ReaderLogger } from './types.ts';

/** `tributary/<version> (+<source>)`. */
export function userAgent(source: string): string {
  return `tributary/${pkg.version} (+${source})`;
}

let fallbackLogger: ReaderLogger | undefined;
function defaultLogger(): ReaderLogger {
  fallbackLogger ??= new Logger({ serviceName: 'tributary' });
  return fallbackLogger;
}

/**
 * The source's limiter: a credential's shared budget (`rateLimit.scope`), or this invocation's own.
 * `scope: 'credential'` without a store keeps to the fallback share from the start, with a warning.
 */
function limiterFor(definition: SourceDefinition, context: ReaderContext, logger: ReaderLogger): Limiter {
  const { requestsPerSecond, concurrency } = definition.rateLimit;
  const scope =
    definition.rateLimit.scope ??
    (readsSecret(definition.auth) && context.coordination ? 'credential' : 'invocation');
  if (scope === 'invocation' || requestsPerSecond === undefined) return new RateLimiter(definition.rateLimit);
  const store = context.coordination ?? unavailableStore(definition.name);
  return new SharedRateLimiter({
    store,
    credential: context.secretName ?? definition.name,
    requestsPerSecond,
    concurrency,
    logger,
  });
}

/** A store that is not there: `rateLimit.scope: 'credential'` without `COORDINATION_TABLE`. */
function unavailableStore(source: string): CoordinationStore {
  const fail = async (): Promise<never> => {
    throw new CoordinationUnavailable('COORDINATION_TABLE is not set');
  };
  return { source, get: fail, put: fail };
}

export function createReader(definition: SourceDefinition, context: ReaderContext): StreamReader {
  const logger = context.logger ?? defaultLogger();
  const redactor = new Redactor();
  const client = new HttpClient({
    source: definition,
    origin: new URL(context.baseUrl).origin,
    redactor,
    limiter: limiterFor(definition, context, logger),
    logger,
    observer: context.observer,
  });
  const auth = createAuth(definition.auth, authContextFor(definition, context, { client, redactor, logger }));
  client.auth = auth;
  return streamReader(
    definition,
    context,
    { definition, client, redactor, queryParams: () => auth.queryParams },
    logger,
  );
}

/** What the auth kind is given: the credentials (loaded once, on first use), a way to hide values, a client. */
function authContextFor(
  definition: SourceDefinition,
  context: ReaderContext,
  { client, redactor, logger }: { client: HttpClient; redactor: Redactor; logger: ReaderLogger },
): AuthContext {
  let credentials: Promise<Credentials> | undefined;
  return {
    source: definition.name,
    baseUrl: context.baseUrl,
    tokenUrl: context.tokenUrl,
    credentials() {
      credentials ??= (async () => {
        if (!context.secretName) {
          if (worksWithoutSecret(definition.auth)) return credentialsFrom('(none)', {});
          throw new ConfigurationError(
            `SECRET_NAME is not set, and auth "${definition.auth.type}" reads its credentials from it (api-credentials/${definition.name})`,
            { where: { source: definition.name } },
          );
        }
        const loaded = await loadCredentials(context.secretName, {
          keys: secretKeysOf(definition.auth),
        }).catch((error: unknown) => {
          credentials = undefined; // a later request may try again
          throw error;
        });
        redactor.add(...loaded.values());
        return loaded;
      })();
      return credentials;
    },
    hide: (...values) => redactor.add(...values),
    send: (request) => client.send(request, { auth: false }),
    secretName: context.secretName,
    coordination: context.coordination,
    logger,
  };
}

/** The reader of the source's streams: each stream compiled once, on first read. */
function streamReader(
  definition: SourceDefinition,
  context: ReaderContext,
  deps: ReadDeps,
  logger: ReaderLogger,
): StreamReader {
  const defaultHeaders = {
    'User-Agent': userAgent(definition.name),
    Accept: 'application/json',
    'Accept-Encoding': 'gzip',
  };
  const plans = new Map<string, StreamPlan>();
  const feeds = new Map<string, { changes: StreamPlan; full: StreamPlan }>();
  /** `name` compiled as `stream` (a change-feed stream's two paths). */
  const compileAs = (name: string, stream: StreamDefinition) =>
    compileStream(
      { ...definition, streams: { ...definition.streams, [name]: stream } },
      name,
      context.baseUrl,
      defaultHeaders,
    );

  return (stream, options) => {
    const def = definition.streams[stream];
    if (!def) {
      throw new ConfigurationError(
        `no stream "${stream}" in source ${definition.name}; streams: ${Object.keys(definition.streams).join(', ')}`,
      );
    }
    const changes = def.incremental?.changes;
    if (changes) {
      let feed = feeds.get(stream);
      if (!feed) {
        feed = {
          changes: compileAs(stream, changesStreamOf(def, changes)),
          full: compileAs(stream, fullStreamOf(def)),
        };
        feeds.set(stream, feed);
      }
      return readWithChanges(feed, options, { ...deps, logger });
    }
    let plan = plans.get(stream);
    if (!plan) {
      plan = compileStream(definition, stream, context.baseUrl, defaultHeaders);
      plans.set(stream, plan);
    }
    if (def.job)
      return readJobStream(plan, options, {
        ...deps,
        logger,
        baseUrl: context.baseUrl,
        headers: defaultHeaders,
      });
    return readStream(plan, options, deps);
  };
}
