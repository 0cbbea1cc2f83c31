/**
 * The handler's environment (ARCHITECTURE.md, "Lambda handler environment"), read per invocation.
 * A missing or malformed variable is a `ConfigurationError` naming it.
 */
import type { SourceDefinition } from '../definition/schema.ts';
import { ConfigurationError } from '../errors.ts';

export interface HandlerEnvironment {
  /** `TARGET_S3_BUCKET_NAME` */
  bucket: string;
  /** `OUTPUT_FOLDER`, without leading or trailing `/`. */
  outputFolder: string;
  /** `SECRET_NAME`; required unless the source's auth is `none`. */
  secretName?: string;
  /** `API_BASE_URL`, else the definition's base URL. */
  baseUrl: string;
  /** `AUTH_TOKEN_URL` */
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
}

export function readEnvironment(
  definition: SourceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): HandlerEnvironment {
  const where = { source: definition.name };
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value)
      throw new ConfigurationError(`environment variable ${name} is required but not set`, { where });
    return value;
  };
  const optional = (name: string): string | undefined => env[name]?.trim() || undefined;

  const bucket = required('TARGET_S3_BUCKET_NAME');
  const outputFolder = required('OUTPUT_FOLDER').replace(/^\/+|\/+$/g, '');
  if (!outputFolder)
    throw new ConfigurationError('environment variable OUTPUT_FOLDER is only slashes', { where });

  const secretName = optional('SECRET_NAME');
  if (!secretName && definition.auth.type !== 'none') {
    throw new ConfigurationError(
      `environment variable SECRET_NAME is required: source ${definition.name} uses ${definition.auth.type} auth (expected api-credentials/${definition.name})`,
      { where },
    );
  }

  const baseUrl = optional('API_BASE_URL') ?? definition.baseUrl;
  if (!URL.canParse(baseUrl)) {
    throw new ConfigurationError('environment variable API_BASE_URL is not an absolute URL', { where });
  }
  const tokenUrl = optional('AUTH_TOKEN_URL');
  const glueDatabase = optional('GLUE_DATABASE');
  const coordinationTable = optional('COORDINATION_TABLE');

  let safetyMarginMs = definition.runtime.safetyMarginMs;
  const margin = optional('SAFETY_MARGIN_MS');
  if (margin !== undefined) {
    safetyMarginMs = Number(margin);
    if (!Number.isInteger(safetyMarginMs) || safetyMarginMs < 0) {
      throw new ConfigurationError(
        `environment variable SAFETY_MARGIN_MS must be a non-negative integer (got "${margin}")`,
        { where },
      );
    }
  }
  return {
    bucket,
    outputFolder,
    secretName,
    baseUrl,
    tokenUrl,
    glueDatabase,
    coordinationTable,
    safetyMarginMs,
  };
}
