/**
 * The lease of an `oauth2RefreshToken` grant (see `oauth2RefreshToken.ts`): one Lambda at a time
 * refreshes, under `oauth2-refresh|<secret>` in the coordination store; the others wait, watching
 * the lease, and read the secret once it changed hands or was released.
 */

import { TransientError } from '../errors.ts';
import { CoordinationUnavailable } from '../run/coordination/CoordinationStore.ts';
import { acquireLease, type Lease, releaseLease } from '../run/coordination/lease.ts';
import { refresh } from './refreshTokenExchange.ts';
import { type RefreshTokenGrant, readSecret, sleep } from './refreshTokenSecret.ts';
import type { AuthContext } from './types.ts';

/** Under the lease: read the secret again (someone may have refreshed), else exchange. */
async function refreshHolding(
  grant: RefreshTokenGrant,
  store: NonNullable<AuthContext['coordination']>,
  lease: Lease,
): Promise<string> {
  const { definition, context } = grant;
  try {
    const state = await readSecret(grant);
    if (grant.usable(state)) return grant.remember(state.accessToken!, state.expiresAt!);
    return await refresh(grant, state);
  } finally {
    await releaseLease(store, lease).catch((error: unknown) => {
      context.logger?.warn(
        `oauth2RefreshToken: the refresh lease of ${context.source} could not be released (${(error as Error)?.name}); it expires in ${definition.leaseSeconds} s`,
      );
    });
  }
}

/** A usable access token: the secret's, else one refreshed here (under the lease) or by another. */
export async function obtain(grant: RefreshTokenGrant): Promise<string> {
  const { definition, context, where, holder } = grant;
  const state = await readSecret(grant);
  if (grant.usable(state)) return grant.remember(state.accessToken!, state.expiresAt!);
  const store = context.coordination;
  if (!store) {
    if (!grant.saidCoordinationOff) {
      grant.saidCoordinationOff = true;
      context.logger?.info(
        `oauth2RefreshToken: coordination is off (COORDINATION_TABLE not set): ${context.source} refreshes its token in this process alone; do not run two at once`,
      );
    }
    return refresh(grant, state);
  }
  const key = `oauth2-refresh|${grant.secretName()}`;
  const deadline = Date.now() + definition.waitSeconds * 1000;
  let seen: number | undefined;
  let delay = 50;
  for (;;) {
    const attempt = await acquireLease(store, key, { holder, seconds: definition.leaseSeconds }).catch(
      (error: unknown) => {
        // Refreshing without the lease could spend a token another Lambda is spending: wait for a retry.
        if (!(error instanceof CoordinationUnavailable)) throw error;
        throw new TransientError(
          `the refresh lease of ${context.source} could not be taken, so its token is not refreshed now: ${error.message}`,
          { attempts: 1, reason: 'coordination store unavailable', where },
        );
      },
    );
    if (attempt.acquired) {
      if (attempt.tookOver)
        context.logger?.warn(
          `oauth2RefreshToken: took over the refresh lease of ${context.source} after its holder's ${definition.leaseSeconds} s ran out (a crashed Lambda?); re-reading the secret first`,
        );
      return refreshHolding(grant, store, attempt.lease);
    }
    // Held by another: once it changed hands or was released, the secret may hold the new token.
    if (seen !== undefined && attempt.version !== seen) {
      const latest = await readSecret(grant);
      if (grant.usable(latest)) return grant.remember(latest.accessToken!, latest.expiresAt!);
    }
    if (seen === undefined)
      context.logger?.debug(`oauth2RefreshToken: another Lambda of ${context.source} is refreshing; waiting`);
    seen = attempt.version;
    if (Date.now() + delay > deadline)
      throw new TransientError(
        `waited ${definition.waitSeconds} s for another Lambda's token refresh of ${context.source} (lease ${key})`,
        { attempts: 1, reason: 'refresh lease held', where },
      );
    await sleep(delay);
    delay = Math.min(delay * 2, 1000);
  }
}
