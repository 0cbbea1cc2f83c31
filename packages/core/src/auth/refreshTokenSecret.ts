/**
 * The secret of an `oauth2RefreshToken` source (see `oauth2RefreshToken.ts`): what one grant shares
 * across its parts, reading the secret's state (refresh token, access token, expiry) and writing
 * the next version with one client request token per exchange, so that a retried write can never
 * make a second version.
 */
import { createHash } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { RefreshTokenLostError } from '../errors/RefreshTokenLostError.ts';
import { SecretError, TransientError } from '../errors.ts';
import { createSecretHint } from './credentials.ts';
import type { AuthContext } from './types.ts';

/** The secret's key this kind writes the current access token under. */
export const ACCESS_TOKEN_KEY = 'access_token';
/** The secret's key this kind writes the access token's expiry under (ISO 8601, UTC). */
export const ACCESS_TOKEN_EXPIRES_AT_KEY = 'access_token_expires_at';
/** Attempts at writing the new secret version, with the same client request token. @default 4 */
export const SECRET_WRITE_ATTEMPTS = 4;

export interface SecretState {
  versionId: string;
  values: Record<string, unknown>;
  refreshToken: string;
  accessToken?: string;
  /** Epoch ms. */
  expiresAt?: number;
}

/** The fields of the auth block the grant's parts read. */
export interface RefreshTokenAuth {
  clientIdKey: string;
  clientSecretKey: string;
  refreshTokenKey: string;
  clientAuth: 'basic' | 'body' | 'both';
  paramsIn: 'body' | 'query';
  leaseSeconds: number;
  waitSeconds: number;
}

/** One source's grant, as its parts share it (made once by the kind's `create`). */
export interface RefreshTokenGrant {
  readonly definition: RefreshTokenAuth;
  readonly context: AuthContext;
  readonly tokenUrl: URL;
  readonly where: { source: string; url: string };
  /** Lease holder id of this process. */
  readonly holder: string;
  /** The token the API refused (401): not to be taken from the secret again. */
  refused: string | undefined;
  saidCoordinationOff: boolean;
  secretName(): string;
  /** An access token in the state that is not refused and not within the margin of its expiry. */
  usable(state: SecretState): boolean;
  /** Keeps the token for the warm container; returns it. */
  remember(token: string, expiresAt: number): string;
}

let sharedClient: SecretsManagerClient | undefined;
function secretsClient(): SecretsManagerClient {
  sharedClient ??= new SecretsManagerClient({});
  return sharedClient;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What to do when the secret's refresh token is gone: authorize again and put the new one. */
export function recoveryStep(secretName: string, refreshTokenKey: string): string {
  return (
    `authorize the app again (the vendor's consent flow), then put the new refresh token into the secret: ` +
    `aws secretsmanager get-secret-value --secret-id ${secretName} --query SecretString --output text > s.json; ` +
    `edit "${refreshTokenKey}" in s.json and delete "${ACCESS_TOKEN_KEY}"/"${ACCESS_TOKEN_EXPIRES_AT_KEY}"; ` +
    `aws secretsmanager put-secret-value --secret-id ${secretName} --secret-string file://s.json; rm s.json`
  );
}

/** A UUID-shaped client request token from what this exchange was: the same exchange, the same token. */
export function clientRequestTokenOf(secretName: string, ...tokens: string[]): string {
  const h = createHash('sha256')
    .update([secretName, ...tokens].join('\n'))
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The secret's state; its string values are hidden from all output at once. */
export async function readSecret(grant: RefreshTokenGrant): Promise<SecretState> {
  const { definition, context } = grant;
  const name = grant.secretName();
  let answer: { SecretString?: string; VersionId?: string };
  try {
    answer = await secretsClient().send(new GetSecretValueCommand({ SecretId: name }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      const keys = [definition.clientIdKey, definition.clientSecretKey, definition.refreshTokenKey];
      throw new SecretError(`secret "${name}" not found in Secrets Manager: ${createSecretHint(name, keys)}`);
    }
    const reason = (error as Error)?.name ?? 'Error';
    throw new TransientError(`secret "${name}" could not be read (${reason})`, { attempts: 1, reason });
  }
  let values: unknown;
  try {
    values = JSON.parse(answer.SecretString ?? '');
  } catch {
    values = undefined; // never the parser's message: it quotes the secret's text
  }
  if (!values || typeof values !== 'object' || Array.isArray(values))
    throw new SecretError(`secret "${name}" is not a JSON object of key/value pairs`);
  const record = values as Record<string, unknown>;
  context.hide(...Object.values(record).filter((v): v is string => typeof v === 'string' && v !== ''));
  const text = (key: string) =>
    typeof record[key] === 'string' && record[key] ? String(record[key]) : undefined;
  const refreshToken = text(definition.refreshTokenKey);
  if (!refreshToken)
    throw new SecretError(
      `secret "${name}" has no key "${definition.refreshTokenKey}" (the refresh token): ${recoveryStep(name, definition.refreshTokenKey)}`,
    );
  const expires = Date.parse(text(ACCESS_TOKEN_EXPIRES_AT_KEY) ?? '');
  return {
    versionId: answer.VersionId ?? '',
    values: record,
    refreshToken,
    accessToken: text(ACCESS_TOKEN_KEY),
    expiresAt: Number.isFinite(expires) ? expires : undefined,
  };
}

/** `PutSecretValue` with one client request token for this exchange, retried; the version id. */
export async function writeSecret(
  grant: RefreshTokenGrant,
  state: SecretState,
  values: Record<string, unknown>,
  ...tokens: string[]
): Promise<string> {
  const { definition, context } = grant;
  const name = grant.secretName();
  const ClientRequestToken = clientRequestTokenOf(name, state.versionId, state.refreshToken, ...tokens);
  const SecretString = JSON.stringify(values);
  let last: unknown;
  for (let attempt = 1; attempt <= SECRET_WRITE_ATTEMPTS; attempt++) {
    try {
      const answer = await secretsClient().send(
        new PutSecretValueCommand({ SecretId: name, SecretString, ClientRequestToken }),
      );
      return answer.VersionId ?? ClientRequestToken;
    } catch (error) {
      last = error;
      if (attempt < SECRET_WRITE_ATTEMPTS) await sleep(100 * 2 ** attempt);
    }
  }
  const reason = (last as Error)?.name ?? 'Error';
  const error = new RefreshTokenLostError(
    `the token endpoint answered a new refresh token for ${context.source} and secret "${name}" could not be written with it after ${SECRET_WRITE_ATTEMPTS} attempts (${reason}): the refresh token the secret holds is spent; ${recoveryStep(name, definition.refreshTokenKey)}`,
    { secretName: name, where: { source: context.source } },
  );
  // ERROR where the logger has it (Powertools' does); the metric filter matches the name either way
  const logger = context.logger as
    | (AuthContext['logger'] & { error?: (m: string, ...x: object[]) => void })
    | undefined;
  (logger?.error ?? logger?.warn)?.call(logger, `RefreshTokenLostError: ${error.message}`, {
    errorName: error.name,
    source: context.source,
    secretName: name,
  });
  throw error;
}
