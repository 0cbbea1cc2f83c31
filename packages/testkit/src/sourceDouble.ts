/**
 * The contract between a source's API double and the local pipeline (`pnpm demo`, `pnpm local:up`,
 * the e2e tests): a source that is not one of the sandbox's own APIs is run locally against the
 * double its `functions/<name>/double/index.ts` exports as `sandboxDouble` (`pnpm new-source` writes
 * one). The sandbox serves it on loopback, provisions its secret, and points the source's
 * `API_BASE_URL` at it.
 */
import type { ApiRoute } from './loopbackApi.ts';

export interface SourceDouble {
  /** The JSON of the secret `api-credentials/<name>` the double accepts; absent: a source without auth. */
  secret?: Record<string, string>;
  /** The double's routes, serving `records` generated records per stream. */
  routes(records: number): ApiRoute;
  /** Environment the source needs besides `API_BASE_URL` to call the double at `url`. @default none */
  env?(url: string): Record<string, string>;
}
