/** The auth kinds by `type`: adding a kind is adding a file and a line here. */
import type { AuthDefinition } from '../definition/schema.ts';
import { apiKey } from './apiKey.ts';
import { basic } from './basic.ts';
import { bearer } from './bearer.ts';
import { jwtBearer } from './jwtBearer.ts';
import { none } from './none.ts';
import { oauth2ClientCredentials } from './oauth2ClientCredentials.ts';
import { oauth2RefreshToken } from './oauth2RefreshToken.ts';
import type { AuthContext, AuthFactory, AuthProvider } from './types.ts';

export const authKinds: { [K in AuthDefinition['type']]: AuthFactory<K> } = {
  none,
  apiKey,
  bearer,
  basic,
  oauth2ClientCredentials,
  jwtBearer,
  oauth2RefreshToken,
};

export function createAuth(definition: AuthDefinition, context: AuthContext): AuthProvider {
  const factory = authKinds[definition.type] as AuthFactory<AuthDefinition['type']>;
  return factory(definition as never, context);
}

/**
 * The secret keys an auth definition reads, in definition order: every field named `…Key`
 * (`secretKey`, `usernameKey`, `clientIdKey`, …), the one spelling the kinds' schemas use for them.
 */
export function secretKeysOf(definition: AuthDefinition): string[] {
  return Object.entries(definition).flatMap(([field, value]) =>
    field.endsWith('Key') && typeof value === 'string' ? [value] : [],
  );
}
