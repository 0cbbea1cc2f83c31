/**
 * The source's credentials: the JSON secret `SECRET_NAME` (`api-credentials/<name>`) in AWS Secrets
 * Manager, read through Powertools Parameters, which caches it per warm container for `maxAge`.
 * A missing secret, a secret that is not a JSON object, or a missing key is a `SecretError` naming the
 * secret and the key, never a value; a read that fails otherwise (throttling, network) is a
 * `TransientError`, which the state machine retries.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { SecretError, TransientError } from '../errors.ts';

/** Seconds a secret stays cached in a warm container. @default 300 */
export const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

export interface Credentials {
  readonly secretName: string;
  /** The value of `key`; a `SecretError` when absent or empty. */
  require(key: string): string;
  /** The value of `key`, or `undefined`. */
  optional(key: string): string | undefined;
  /** Every value, to strip from URLs, logs and errors. */
  values(): string[];
}

function toText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function credentialsFrom(secretName: string, secret: Record<string, unknown>): Credentials {
  return {
    secretName,
    require(key) {
      const value = toText(secret[key]);
      if (value === undefined) {
        const keys = Object.keys(secret);
        throw new SecretError(
          `secret "${secretName}" has no key "${key}" (it has ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'no keys'})`,
        );
      }
      return value;
    },
    optional: (key) => toText(secret[key]),
    values: () => Object.values(secret).flatMap((v) => toText(v) ?? []),
  };
}

/**
 * How to create a missing secret: the `aws secretsmanager create-secret` command for this region,
 * with the keys the definition reads and placeholders for their values (never a value).
 */
export function createSecretHint(secretName: string, keys: readonly string[], region?: string): string {
  const body = JSON.stringify(Object.fromEntries(keys.map((k) => [k, '…'])));
  const at = region ? ` --region ${region}` : '';
  return `create it with: aws secretsmanager create-secret --name ${secretName}${at} --secret-string '${body}'`;
}

/** Reads the secret (cached for `maxAgeSeconds`) as credentials. */
export async function loadCredentials(
  secretName: string,
  options: {
    maxAgeSeconds?: number;
    /** The keys the source's auth reads: named in the "how to create it" hint of a missing secret. */
    keys?: readonly string[];
  } = {},
): Promise<Credentials> {
  let secret: unknown;
  try {
    secret = await getSecret(secretName, {
      transform: 'json',
      maxAge: options.maxAgeSeconds ?? DEFAULT_SECRET_MAX_AGE_SECONDS,
    });
  } catch (error) {
    // Never chain the cause: a JSON transform error quotes the secret's text.
    const name = error instanceof Error ? error.name : 'Error';
    const causeName = error instanceof Error && error.cause instanceof Error ? error.cause.name : undefined;
    if (name === 'ResourceNotFoundException' || causeName === 'ResourceNotFoundException') {
      const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      throw new SecretError(
        `secret "${secretName}" not found in Secrets Manager${region ? ` (${region})` : ''}: ${createSecretHint(secretName, options.keys ?? [], region)}`,
      );
    }
    if (name === 'TransformParameterError') {
      throw new SecretError(`secret "${secretName}" is not a JSON object of key/value pairs`);
    }
    // Throttling, network, a service hiccup (after the SDK's own retries): worth a retry of the run.
    throw new TransientError(`secret "${secretName}" could not be read (${causeName ?? name})`, {
      attempts: 1,
      reason: causeName ?? name,
    });
  }
  if (secret === undefined || secret === null || typeof secret !== 'object' || Array.isArray(secret)) {
    throw new SecretError(`secret "${secretName}" is not a JSON object of key/value pairs`);
  }
  return credentialsFrom(secretName, secret as Record<string, unknown>);
}
