/** The contract of an auth kind: add credentials to a request; maybe renew them once on a 401. */
import type { CoordinationStore } from '../coordination/CoordinationStore.ts';
import type { AuthDefinition } from '../definition/schema.ts';
import type { HttpRequest, HttpResponse, ReaderLogger } from '../http/types.ts';
import type { Credentials } from '../secrets/credentials.ts';

export interface AuthProvider {
  /** Adds the credentials to a request about to be sent (headers or query). */
  apply(request: HttpRequest): Promise<void>;
  /**
   * The API refused the credentials: renew them if this kind can (OAuth2 fetches a new token).
   * `true` = worth one more try.
   */
  refresh(): Promise<boolean>;
  /** Query params that carry a credential, masked in every URL shown. */
  readonly queryParams: readonly string[];
}

export interface AuthContext {
  source: string;
  /** The base URL in use (`API_BASE_URL` or the definition's). */
  baseUrl: string;
  /** `AUTH_TOKEN_URL`: replaces the definition's token URL. */
  tokenUrl?: string;
  /** The source's secret; loads it on first use and strips its values from all output. */
  credentials(): Promise<Credentials>;
  /** Strips more values (tokens obtained at run time) from all output. */
  hide(...values: string[]): void;
  /** Sends a request with the source's retry policy and no auth (token endpoints). */
  send(request: HttpRequest): Promise<HttpResponse>;
  /** `SECRET_NAME`: kinds that write their secret back (rotating refresh tokens) need its name. */
  secretName?: string;
  /** The coordination store (`COORDINATION_TABLE`), if any: leases for kinds that refresh one at a time. */
  coordination?: CoordinationStore;
  logger?: ReaderLogger;
}

export type AuthFactory<K extends AuthDefinition['type']> = (
  definition: Extract<AuthDefinition, { type: K }>,
  context: AuthContext,
) => AuthProvider;
