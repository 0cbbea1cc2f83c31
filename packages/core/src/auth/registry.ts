/**
 * The auth kinds by `type`: adding a kind is adding its file and a line here (packages/core/README.md,
 * "Adding a kind"). The definition's `auth` schema and type, the secret keys loaded, whether
 * `SECRET_NAME` is needed, the environment read for it, the README's table and the generator's
 * choices all come from this map.
 */
import type * as z from 'zod';
import { kindsOf, unionOf } from '../definition/kinds.ts';
import { apiKey } from './apiKey.ts';
import { basic } from './basic.ts';
import { bearer } from './bearer.ts';
import { jwtBearer } from './jwtBearer.ts';
import { none } from './none.ts';
import { oauth2ClientCredentials } from './oauth2ClientCredentials.ts';
import { oauth2RefreshToken } from './oauth2RefreshToken.ts';
import type { AuthContext, AuthEnvVariable, AuthKind, AuthProvider } from './types.ts';

export const authKinds = {
  none,
  apiKey,
  bearer,
  basic,
  oauth2ClientCredentials,
  jwtBearer,
  oauth2RefreshToken,
};

/** A source's `auth`: one of the registered kinds, by `type`. */
export const AuthSchema = unionOf(authKinds);
export type AuthDefinition = z.output<typeof AuthSchema>;

/** The kind of a definition, its methods taking that definition (`kindsOf`). */
const kindOf = kindsOf<AuthKind<typeof AuthSchema>>(authKinds);

export function createAuth(definition: AuthDefinition, context: AuthContext): AuthProvider {
  return kindOf(definition).create(definition, context);
}

/** The secret keys an auth definition reads, in schema order (its `secretKeyFields` that are set). */
export function secretKeysOf(definition: AuthDefinition): string[] {
  const fields: readonly string[] = kindOf(definition).secretKeyFields;
  const values = definition as Record<string, unknown>;
  return fields.flatMap((field) => (typeof values[field] === 'string' ? [values[field]] : []));
}

/** Whether the definition reads the source's secret (`SECRET_NAME`): a kind with secret key fields does. */
export function readsSecret(definition: AuthDefinition): boolean {
  return kindOf(definition).secretKeyFields.length > 0;
}

/** Whether, without `SECRET_NAME`, the reader sends no credential instead of failing. */
export function worksWithoutSecret(definition: AuthDefinition): boolean {
  return kindOf(definition).worksWithoutSecret?.(definition) ?? false;
}

/** The environment variables the definition's kind reads (`AUTH_TOKEN_URL`). */
export function authEnvOf(definition: AuthDefinition): readonly AuthEnvVariable[] {
  return kindOf(definition).env;
}

/** Problems across the auth definition's fields, each a sentence. */
export function checkAuth(definition: AuthDefinition): string[] {
  return kindOf(definition).check?.(definition) ?? [];
}
