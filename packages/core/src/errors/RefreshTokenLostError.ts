import { withFacts } from './withFacts.ts';

/**
 * The token endpoint answered a refresh with a new (rotating, single-use) refresh token, and the
 * secret could not be written with it, after every retry: the refresh token the secret still holds
 * is spent, and the new one was only in this Lambda's memory. Fatal (a retry would present the
 * spent token and get `invalid_grant`); alarmed (the `RefreshTokenLost` metric filter and alarm);
 * the recovery is to authorize again and put the new refresh token into the secret
 * (packages/core/src/auth/README.md). The message names the source and the secret, never a token.
 */
export class RefreshTokenLostError extends withFacts<{ secretName: string }>({ secretName: true }) {
  override readonly name = 'RefreshTokenLostError';
}
