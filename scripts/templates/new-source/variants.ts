// The snippets below are TypeScript source text: `${…}` inside plain strings is meant literally.
/**
 * The pieces of a new source that depend on its auth and pagination: the definition's lines, the
 * secret it reads, and how the generated fixture API checks the credential and serves pages.
 * Each piece is substituted into the templates next to this file by scripts/new-source.ts.
 *
 * The kinds are the core's own (its auth and paginator registries): a kind added to the core
 * without a variant here fails the typecheck, and the generator offers exactly the core's kinds.
 */
import { type AuthDefinition, authKinds, type PaginatorDefinition, paginatorKinds } from '@tributary/core';

export type AuthKind = AuthDefinition['type'];
export type PaginationKind = PaginatorDefinition['type'];
export const AUTH_KINDS = Object.keys(authKinds) as AuthKind[];
export const PAGINATION_KINDS = Object.keys(paginatorKinds) as PaginationKind[];

const kebab = (kind: string) => kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const aliases = <K extends string>(kinds: readonly K[]) =>
  Object.fromEntries(kinds.filter((k) => kebab(k) !== k).map((k) => [kebab(k), k])) as Record<string, K>;

/** Other spellings accepted: each kind in kebab-case (`api-key`, `next-url`), and `oauth2`. */
export const AUTH_ALIASES: Record<string, AuthKind> = {
  ...aliases(AUTH_KINDS),
  oauth2: 'oauth2ClientCredentials',
};
export const PAGINATION_ALIASES: Record<string, PaginationKind> = aliases(PAGINATION_KINDS);

export interface AuthVariant {
  /** The `auth` entry of the definition (empty: no auth). */
  definition: string;
  /** The secret `api-credentials/<name>` the source reads: example values for tests and the README. */
  secret: Record<string, string> | undefined;
  /** TypeScript statements in the fixture route: return a response for a request without the credential. */
  check: string;
  /** The test's assertion on each API request (`r`), with `SECRET` the secret values. */
  expectation: string;
  /** One README line. */
  readme: string;
}

/**
 * A core kind the generator does not write, with what to do instead: the kind still has to be
 * named here (or given a variant), so a new core kind cannot be forgotten.
 */
export interface NotGenerated {
  notGenerated: string;
}

export const AUTH: Record<AuthKind, AuthVariant | NotGenerated> = {
  jwtBearer: {
    notGenerated:
      'its secret is an RSA private key the generated double and test would have to mint; generate the source with --auth none, then write the jwtBearer auth block as packages/core/src/definition/README.md shows (auth kinds table)',
  },
  oauth2RefreshToken: {
    notGenerated:
      'its refresh token rotates in the secret, which the generated double and test would have to rewrite; generate the source with --auth none, write the oauth2RefreshToken auth block as packages/core/src/definition/README.md shows (auth kinds table), and add to its function.yml the OwnSecretRotation statement and the RefreshTokenLost metric filter (packages/core/src/auth/README.md)',
  },
  none: {
    definition: '',
    secret: undefined,
    check: '',
    expectation: "expect(r.headers).not.toHaveProperty('authorization');",
    readme: 'No credentials: the API is public (no secret, no `SECRET_NAME`).',
  },
  apiKey: {
    definition: "  auth: { type: 'apiKey', in: 'header', name: 'X-API-Key', secretKey: 'api_key' },\n",
    secret: { api_key: 'fixture-api-key-SECRET-0123456789' },
    check: `  if (req.headers['x-api-key'] !== SECRET.api_key) {
    return { status: 401, body: { error: 'unauthorized', message: 'Missing or invalid API key' } };
  }`,
    expectation: "expect(r.headers['x-api-key']).toBe(SECRET.api_key);",
    readme: 'Secret keys: `api_key`, sent as the `X-API-Key` header.',
  },
  bearer: {
    definition: "  auth: { type: 'bearer', secretKey: 'token' },\n",
    secret: { token: 'fixture-token-SECRET-0123456789' },
    check: `  if (req.headers.authorization !== \`Bearer \${SECRET.token}\`) {
    return { status: 401, body: { error: 'unauthorized', message: 'Missing or invalid token' } };
  }`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the generated test
    expectation: 'expect(r.headers.authorization).toBe(`Bearer ${SECRET.token}`);',
    readme: 'Secret keys: `token`, sent as `Authorization: Bearer <token>`.',
  },
  basic: {
    definition: "  auth: { type: 'basic', usernameKey: 'username', passwordKey: 'password' },\n",
    secret: { username: 'fixture-user', password: 'fixture-password-SECRET-0123456789' },
    check: `  const basic = \`Basic \${Buffer.from(\`\${SECRET.username}:\${SECRET.password}\`).toString('base64')}\`;
  if (req.headers.authorization !== basic) {
    return { status: 401, body: { error: 'unauthorized', message: 'Missing or invalid credentials' } };
  }`,
    expectation:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the generated test
      "expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRET.username}:${SECRET.password}`).toString('base64')}`);",
    readme: 'Secret keys: `username` and `password`, sent as HTTP Basic auth.',
  },
  oauth2ClientCredentials: {
    definition: `  auth: {
    type: 'oauth2ClientCredentials',
    // Relative to the base URL, or absolute; <SOURCE>_AUTH_TOKEN_URL (or AUTH_TOKEN_URL) replaces it.
    tokenUrl: '/oauth/token',
    clientIdKey: 'client_id',
    clientSecretKey: 'client_secret',
  },
`,
    secret: { client_id: 'fixture-client', client_secret: 'fixture-client-SECRET-0123456789' },
    check: `  if (req.path === '/oauth/token') {
    const basic = \`Basic \${Buffer.from(\`\${SECRET.client_id}:\${SECRET.client_secret}\`).toString('base64')}\`;
    if (req.method !== 'POST' || req.headers.authorization !== basic || !req.body.includes('grant_type=client_credentials')) {
      return { status: 401, body: { error: 'invalid_client' } };
    }
    return { body: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 } };
  }
  if (req.headers.authorization !== \`Bearer \${ACCESS_TOKEN}\`) {
    return { status: 401, body: { error: 'invalid_token' } };
  }`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the generated test
    expectation: 'expect(r.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);',
    readme:
      'Secret keys: `client_id` and `client_secret`, exchanged at the token endpoint (OAuth2 client credentials, Basic client auth) for a bearer token, cached until shortly before it expires and renewed once on a 401.',
  },
};

export interface PaginationVariant {
  /** Where the records are in the body (`records` in the definition). */
  records: string;
  /** The `paginator` entry. */
  paginator: string;
  /** TypeScript statements in the fixture route: serve the page of `items` the request asks for. */
  respond: string;
  /** Pages the fixture serves for its 250 items. */
  pages: number;
  readme: string;
}

export const PAGINATION: Record<PaginationKind, PaginationVariant> = {
  single: {
    records: 'data',
    paginator: "{ type: 'single' }",
    respond: '  return { body: { data: items } };',
    pages: 1,
    readme: 'One request returns every record (`data`).',
  },
  offset: {
    records: 'data',
    paginator: "{ type: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: 100 }",
    respond: `  const offset = Number(req.query.get('offset') ?? 0);
  const limit = Number(req.query.get('limit') ?? 20);
  return { body: { data: items.slice(offset, offset + limit), total: items.length } };`,
    pages: 3,
    readme: 'Pages of 100 with `offset`/`limit`, until a short page.',
  },
  page: {
    records: 'data',
    paginator: "{ type: 'page', pageParam: 'page', startPage: 1, sizeParam: 'per_page', size: 100 }",
    respond: `  const page = Number(req.query.get('page') ?? 1);
  const size = Number(req.query.get('per_page') ?? 20);
  return { body: { data: items.slice((page - 1) * size, page * size), page{{totalPagesBody}} } };`,
    pages: 3,
    readme: 'Pages of 100 with `page`/`per_page`, from page 1 until a short page.',
  },
  cursor: {
    records: 'data',
    paginator: "{ type: 'cursor', param: 'cursor', cursorPath: 'next_cursor' }",
    respond: `  const start = Number(req.query.get('cursor') ?? 0);
  const next = start + 100 < items.length ? String(start + 100) : null;
  return { body: { data: items.slice(start, start + 100), next_cursor: next } };`,
    pages: 3,
    readme: "A `cursor` param from the body's `next_cursor`, until it is null.",
  },
  nextUrl: {
    records: 'data',
    paginator: "{ type: 'nextUrl', path: 'next' }",
    respond: `  const start = Number(req.query.get('start') ?? 0);
  const next = new URL(req.path, \`http://\${req.headers.host}\`);
  for (const [k, v] of req.query) next.searchParams.set(k, v);
  next.searchParams.set('start', String(start + 100));
  return { body: { data: items.slice(start, start + 100), next: start + 100 < items.length ? next.href : null } };`,
    pages: 3,
    readme: "The body's `next` URL, until it is null.",
  },
  link: {
    records: '',
    paginator: "{ type: 'link' }",
    respond: `  const start = Number(req.query.get('start') ?? 0);
  const next = new URL(req.path, \`http://\${req.headers.host}\`);
  for (const [k, v] of req.query) next.searchParams.set(k, v);
  next.searchParams.set('start', String(start + 100));
  const headers: Record<string, string> = start + 100 < items.length ? { link: \`<\${next.href}>; rel="next"\` } : {};
  return { headers, body: items.slice(start, start + 100) };`,
    pages: 3,
    readme: 'The `Link: <…>; rel="next"` header (RFC 8288), until there is none; records are the root array.',
  },
};
