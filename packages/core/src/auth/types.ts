/** The contract of an auth kind: add credentials to a request; maybe renew them once on a 401. */
import type * as z from 'zod';
import type { GeneratorChoice, KindBase, KindSchema } from '../definition/kinds.ts';
import type { AuthDefinition } from '../definition/schema.ts';
import type { HttpRequest, HttpResponse, ReaderLogger } from '../http/types.ts';
import type { CoordinationStore } from '../run/coordination/CoordinationStore.ts';
import type { Credentials } from './credentials.ts';

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

/** An environment variable an auth kind reads, also as `<SOURCE>_<NAME>`, which wins (`run/environment.ts`). */
export type AuthEnvVariable = 'AUTH_TOKEN_URL';

/**
 * An auth kind, one module (`auth/<type>.ts`), registered in `auth/registry.ts`. Everything is
 * typed by its own schema: `create` and the facts get `z.output<S>`.
 */
export interface AuthKind<S extends z.ZodType = KindSchema> extends KindBase<S> {
  /** The README's "sends" cell (definition/README.md, "Auth kinds"). */
  doc: string;
  /**
   * The definition's fields that name a key of the secret (`secretKey`, `clientIdKey`, …), in
   * schema order: the keys loaded from the secret (and required in it unless optional), the README's
   * "secret keys" column. A kind without any reads no secret: `SECRET_NAME` is not needed.
   */
  secretKeyFields: readonly Extract<keyof z.output<S>, string>[];
  /** Without `SECRET_NAME` the reader sends no credential instead of failing (`apiKey` with `optional`). */
  worksWithoutSecret?(definition: z.output<S>): boolean;
  /** The variables the kind reads, e.g. `AUTH_TOKEN_URL` replacing `tokenUrl` (as `AuthContext.tokenUrl`). */
  env: readonly AuthEnvVariable[];
  /** Problems across the kind's fields the schema cannot express, each a sentence (`checkDefinition` adds `auth.`). */
  check?(definition: z.output<S>): string[];
  create(definition: z.output<S>, context: AuthContext): AuthProvider;
}

/**
 * Declares an auth kind: infers its schema's type, so `create` and the facts are typed by it, and
 * keeps its generator choice's type (the generator needs a variant for each offered kind).
 */
export const authKind = <S extends KindSchema, const G extends GeneratorChoice>(
  kind: AuthKind<S> & { generator: G },
): AuthKind<S> & { generator: G } => kind;
