/**
 * The handler's environment (docs/contracts.md, "Lambda handler environment"), read per invocation.
 * A missing or malformed variable is a `ConfigurationError` naming it.
 *
 * The endpoint overrides (`API_BASE_URL`, `AUTH_TOKEN_URL`) also come per source, as
 * `<SOURCE>_API_BASE_URL` / `<SOURCE>_AUTH_TOKEN_URL` (`sourceEnvName`), which win over the plain
 * names: one shell (`.local/local-env.sh`) can then point each source at its own double without
 * sending one source's credentials to another's token endpoint.
 */
import { authEnvOf, readsSecret } from '../auth/registry.ts';
import type { SourceDefinition } from '../definition/schema.ts';
import { ConfigurationError } from '../errors.ts';

export interface HandlerEnvironment {
  /** `TARGET_S3_BUCKET_NAME` */
  bucket: string;
  /** `OUTPUT_FOLDER`, without leading or trailing `/`. */
  outputFolder: string;
  /** `SECRET_NAME`; required when the source's auth kind reads a secret (every kind but `none`). */
  secretName?: string;
  /** `<SOURCE>_API_BASE_URL`, else `API_BASE_URL`, else the definition's base URL. */
  baseUrl: string;
  /**
   * `<SOURCE>_AUTH_TOKEN_URL`, else `AUTH_TOKEN_URL`, for an auth kind that reads it (`AuthKind.env`);
   * absent = the definition's token URL.
   */
  tokenUrl?: string;
  /** `GLUE_DATABASE`: where each stream's raw table gets the run's partition; absent = no catalog. */
  glueDatabase?: string;
  /** `COORDINATION_TABLE`: the coordination store (a credential's shared rate budget); absent = none. */
  coordinationTable?: string;
  /**
   * `SAFETY_MARGIN_MS` (tests, demo) overrides the definition's `runtime.safetyMarginMs`.
   * @default definition.runtime.safetyMarginMs (60000)
   */
  safetyMarginMs: number;
  /**
   * `PROGRESS_INTERVAL_MS`: the least time between two INFO progress lines of a stream
   * (records, pages, rate); 0 = one per page.
   * @default 10000
   */
  progressIntervalMs: number;
}

/** Progress lines of a stream at most this often, unless `PROGRESS_INTERVAL_MS` says otherwise. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;

/**
 * The per-source name of an environment variable: the source name upper-cased, `-` as `_`, then the
 * variable (`sourceEnvName('casenotes-data', 'AUTH_TOKEN_URL')` = `CASENOTES_DATA_AUTH_TOKEN_URL`).
 */
export function sourceEnvName(source: string, variable: 'API_BASE_URL' | 'AUTH_TOKEN_URL'): string {
  return `${source.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${variable}`;
}

export function readEnvironment(
  definition: SourceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): HandlerEnvironment {
  const where = { source: definition.name };
  const { required, optional, nonNegativeInteger } = variablesOf(env, where);

  const bucket = required('TARGET_S3_BUCKET_NAME');
  const outputFolder = required('OUTPUT_FOLDER').replace(/^\/+|\/+$/g, '');
  if (!outputFolder)
    throw new ConfigurationError('environment variable OUTPUT_FOLDER is only slashes', { where });

  const secretName = optional('SECRET_NAME');
  if (!secretName && readsSecret(definition.auth)) {
    throw new ConfigurationError(
      `environment variable SECRET_NAME is required: source ${definition.name} uses ${definition.auth.type} auth (expected api-credentials/${definition.name})`,
      { where },
    );
  }

  /** The per-source variable if set, else the plain one: [its name, its value]. */
  const override = (variable: 'API_BASE_URL' | 'AUTH_TOKEN_URL'): [string, string | undefined] => {
    const own = sourceEnvName(definition.name, variable);
    const value = optional(own);
    return value === undefined ? [variable, optional(variable)] : [own, value];
  };
  const [baseUrlVar, baseUrlValue] = override('API_BASE_URL');
  const baseUrl = baseUrlValue ?? definition.baseUrl;
  if (!URL.canParse(baseUrl)) {
    throw new ConfigurationError(`environment variable ${baseUrlVar} is not an absolute URL`, { where });
  }
  // Read only for a kind that uses it (`AuthKind.env`): no other kind has a token URL to replace.
  const [, tokenUrl] = authEnvOf(definition.auth).includes('AUTH_TOKEN_URL')
    ? override('AUTH_TOKEN_URL')
    : [];
  const glueDatabase = optional('GLUE_DATABASE');
  const coordinationTable = optional('COORDINATION_TABLE');

  const safetyMarginMs = nonNegativeInteger('SAFETY_MARGIN_MS', definition.runtime.safetyMarginMs);
  const progressIntervalMs = nonNegativeInteger('PROGRESS_INTERVAL_MS', DEFAULT_PROGRESS_INTERVAL_MS);
  return {
    bucket,
    outputFolder,
    secretName,
    baseUrl,
    tokenUrl,
    glueDatabase,
    coordinationTable,
    safetyMarginMs,
    progressIntervalMs,
  };
}

/** Readers of single variables, each failing with a `ConfigurationError` naming the variable. */
function variablesOf(env: NodeJS.ProcessEnv, where: { source: string }) {
  const optional = (name: string): string | undefined => env[name]?.trim() || undefined;
  const required = (name: string): string => {
    const value = optional(name);
    if (!value)
      throw new ConfigurationError(`environment variable ${name} is required but not set`, { where });
    return value;
  };
  const nonNegativeInteger = (name: string, fallback: number): number => {
    const text = optional(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) {
      throw new ConfigurationError(
        `environment variable ${name} must be a non-negative integer (got "${text}")`,
        {
          where,
        },
      );
    }
    return value;
  };
  return { required, optional, nonNegativeInteger };
}
