/**
 * What the token kinds (`tokenEndpoint` for client credentials and JWT bearer, `oauth2RefreshToken`)
 * send once they have a token: `Authorization: Bearer`, a warm token reused while it is good, one
 * fetch in flight however many requests wait for it, and the token dropped on a 401 so that the
 * next try fetches another. Each kind says only where its token comes from and how it is kept.
 */
import type { AuthContext, AuthProvider } from './types.ts';

export interface CachedBearerOptions {
  context: AuthContext;
  /** The kept token if it is still good to send, else `undefined`. */
  cached(): string | undefined | Promise<string | undefined>;
  /** Gets a new token (and keeps it, for `cached`). */
  obtain(): Promise<string>;
  /** The API refused the token: forget it, so that the next `cached` says none. */
  forget(): void;
}

export function cachedBearer(options: CachedBearerOptions): AuthProvider {
  let pending: Promise<string> | undefined;

  async function token(): Promise<string> {
    const cached = await options.cached();
    if (cached !== undefined) {
      options.context.hide(cached);
      return cached;
    }
    pending ??= options.obtain().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  return {
    async apply(request) {
      request.headers.Authorization = `Bearer ${await token()}`;
    },
    async refresh() {
      options.forget();
      return true;
    },
    queryParams: [],
  };
}
