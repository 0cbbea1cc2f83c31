/**
 * A lease in the coordination store: one holder at a time for a named job (refreshing a rotating
 * OAuth2 refresh token), taken by a conditional put and given back by one. The item's `expiresAt`
 * is both the lease's end and the DynamoDB TTL attribute (`exp`), so a holder that crashed (a
 * Lambda timed out or killed mid-refresh) blocks the others only until then: a lease past its
 * `expiresAt` is free, whatever the item still says (DynamoDB deletes expired items lazily, hours
 * later; the readers decide by the time, not by the item's absence).
 *
 * Item values: `holder` (who holds it; `''` once released). Every take and release is a put
 * conditional on the version read, so two takers of a free lease cannot both win: the loser gets
 * `acquired: false` and the item's new version.
 */
import type { CoordinationItem, CoordinationStore } from './CoordinationStore.ts';

/** How long a released lease's item is kept before the store may delete it (seconds). @default 3600 */
export const RELEASED_LEASE_TTL_SECONDS = 3600;

export interface Lease {
  key: string;
  holder: string;
  /** The item's version this holder wrote: the release is conditional on it. */
  version: number;
  /** Epoch seconds: after this the lease is free for anyone. */
  expiresAt: number;
}

export type LeaseAttempt =
  | {
      acquired: true;
      lease: Lease /** The lease had been held by someone else and expired. */;
      tookOver: boolean;
    }
  | {
      acquired: false;
      /** The item's version seen: a later read with another version means the lease changed hands. */
      version: number;
      holder: string;
      expiresAt: number;
    };

const nowSeconds = () => Date.now() / 1000;

/** A lease item nobody holds: none, released, or past its end. */
export function isFree(item: CoordinationItem | undefined, now = nowSeconds()): boolean {
  if (!item) return true;
  if (!item.values.holder) return true;
  return item.expiresAt === undefined || item.expiresAt <= now;
}

/**
 * Takes the lease `key` for `seconds` if it is free. One read and at most one conditional write;
 * a lost race is `acquired: false` (the caller waits and tries again).
 */
export async function acquireLease(
  store: CoordinationStore,
  key: string,
  options: { holder: string; seconds: number },
): Promise<LeaseAttempt> {
  const item = await store.get(key);
  const now = nowSeconds();
  if (!isFree(item, now)) {
    return {
      acquired: false,
      version: item!.version,
      holder: String(item!.values.holder),
      expiresAt: item!.expiresAt ?? now,
    };
  }
  const version = (item?.version ?? 0) + 1;
  const expiresAt = now + options.seconds;
  const written = await store.put(
    key,
    { version, values: { holder: options.holder }, expiresAt },
    item?.version,
  );
  if (!written) return { acquired: false, version: -1, holder: '?', expiresAt };
  return {
    acquired: true,
    lease: { key, holder: options.holder, version, expiresAt },
    tookOver: item !== undefined && Boolean(item.values.holder),
  };
}

/**
 * Gives the lease back: `false` if it was not ours any more (it expired and someone took it), in
 * which case nothing is written.
 */
export async function releaseLease(store: CoordinationStore, lease: Lease): Promise<boolean> {
  return store.put(
    lease.key,
    {
      version: lease.version + 1,
      values: { holder: '' },
      expiresAt: nowSeconds() + RELEASED_LEASE_TTL_SECONDS,
    },
    lease.version,
  );
}
