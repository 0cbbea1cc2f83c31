/**
 * The coordination store: small items that every Lambda of one source shares (a credential's rate
 * budget today; leases tomorrow), behind one interface so that a source without coordination needs
 * nothing and tests can hand in their own. Each item belongs to one source and is written by
 * compare-and-set on its `version`: a writer that lost the race re-reads and tries again.
 *
 * The DynamoDB backend (`dynamoCoordinationStore.ts`) keys items by the source's name (partition
 * key, the only key its IAM role may touch) and the item's key (sort key).
 */

/** What an item holds: named numbers and strings, a version, and when it may be deleted. */
export interface CoordinationItem {
  /** Bumped by every write; the compare-and-set compares it. */
  version: number;
  values: Record<string, number | string>;
  /** Epoch seconds after which the store may delete the item (DynamoDB TTL). Absent = kept. */
  expiresAt?: number;
}

export interface CoordinationStore {
  /** The source whose items these are. */
  readonly source: string;
  /** A strongly consistent read of one item; `undefined` if there is none. */
  get(key: string): Promise<CoordinationItem | undefined>;
  /**
   * Writes `item` (its `version` the new one) if the stored version is still `expected`
   * (`undefined`: the item must not exist). `false`: another writer came first; read again.
   */
  put(key: string, item: CoordinationItem, expected: number | undefined): Promise<boolean>;
}

/** The store could not be read or written (throttled, unreachable, refused). */
export class CoordinationUnavailable extends Error {
  override readonly name = 'CoordinationUnavailable';
}
