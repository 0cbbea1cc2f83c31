import { describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { DefinitionError } from '../../src/errors.ts';
import { buildManifest } from '../../src/manifest/Manifest.ts';

const problemsOf = (input: unknown): string[] => {
  try {
    defineSource(input as SourceInput);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    return (error as DefinitionError).problems;
  }
  throw new Error('expected a DefinitionError');
};

const minimal = { name: 'demo', baseUrl: 'https://api.example.com', streams: { items: { path: '/items' } } };

describe('defineSource', () => {
  test('a ~20-line definition describes a paginated, authenticated, incremental API', () => {
    const source = defineSource({
      name: 'acme-crm',
      baseUrl: 'https://api.acme.example/v2',
      auth: { type: 'bearer', secretKey: 'token' },
      rateLimit: { requestsPerSecond: 10, concurrency: 2 },
      streams: {
        contacts: {
          path: '/contacts',
          records: 'data.items',
          paginator: {
            type: 'cursor',
            param: 'after',
            cursorPath: 'data.next',
            hasMorePath: 'data.has_more',
          },
          primaryKey: 'id',
          incremental: {
            cursorField: 'updated_at',
            params: { updated_since: '{since}' },
            lookbackSeconds: 300,
          },
        },
        notes: {
          path: '/contacts/{parent.id}/notes',
          paginator: { type: 'page', size: 50, sizeParam: 'per_page' },
          parent: { stream: 'contacts', carry: { contact_id: 'id' } },
        },
      },
    });
    // Defaults filled in, documented where declared.
    expect(source.retry).toEqual({
      maxAttempts: 8,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxTotalWaitMs: 300_000,
    });
    expect(source.timeouts).toEqual({ connectMs: 10_000, totalMs: 60_000 });
    expect(source.streams.notes!.paginator).toMatchObject({ type: 'page', pageParam: 'page', startPage: 1 });
    expect(source.streams.contacts!.maxPages).toBe(10_000);
  });

  test('lists every problem with its path, unknown kinds with the valid kinds', () => {
    const problems = problemsOf({
      name: 'Bad Name',
      baseUrl: 'not a url',
      auth: { type: 'magic' },
      streams: {
        issues: { path: '/issues', paginator: { type: 'foo' }, colour: 'red' },
        other: { path: '/o', paginator: { type: 'offset' } },
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'name: a source name is lowercase words joined by "-" (got "Bad Name")',
        expect.stringMatching(/^baseUrl: /),
        'auth.type: unknown kind "magic"; valid kinds: none, apiKey, bearer, basic, oauth2ClientCredentials, jwtBearer, oauth2RefreshToken',
        'streams.issues.paginator.type: unknown kind "foo"; valid kinds: single, offset, page, cursor, nextUrl, link, headerCursor',
        'streams.issues: unknown key "colour"',
        'streams.other.paginator.limit: required (number)',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  test('a bad stream name says what a name is', () => {
    expect(problemsOf({ ...minimal, streams: { 'Bad-Name': { path: '/a' } } })).toEqual([
      'streams.Bad-Name: bad name: a stream name is lowercase letters, digits and "_"',
    ]);
  });

  test('the error message names the source and lists the problems', () => {
    expect(() =>
      defineSource({
        ...minimal,
        streams: { items: { path: '/i', paginator: { type: 'cursor', param: 'c' } } },
      }),
    ).toThrow(
      /source demo: 1 problem in the definition\n {2}- streams\.items\.paginator: a cursor paginator needs cursorPath/,
    );
  });

  test('cross-field: parent exists, no cycles, no self-parent', () => {
    expect(
      problemsOf({
        ...minimal,
        streams: {
          a: { path: '/a/{parent.id}', parent: { stream: 'b' } },
          b: { path: '/b/{parent.id}', parent: { stream: 'a' } },
          c: { path: '/c/{parent.id}', parent: { stream: 'missing' } },
          d: { path: '/d/{parent.id}', parent: { stream: 'd' } },
        },
      }),
    ).toEqual([
      'streams.c.parent.stream: no stream "missing" in this source; streams: a, b, c, d',
      'streams.d.parent.stream: a stream cannot be its own parent',
      'streams.a.parent: parents form a cycle: a → b → a',
      'streams.b.parent: parents form a cycle: b → a → b',
    ]);
  });

  test('cross-field: placeholders must be resolvable', () => {
    expect(
      problemsOf({
        ...minimal,
        params: { token: '{owner}' },
        streams: {
          a: { path: '/repos/{owner}/{repo}', partitions: [{ owner: 'o', repo: 'r' }, { owner: 'p' }] },
          b: { path: '/b/{parent.id}', params: { at: '{since:unix}', x: '{y:unix}' } },
          c: { path: '/c/{parent.id}', parent: { stream: 'a' }, partitions: [{ owner: 'o' }] },
          d: { path: '/d', partitionFields: { repository: '{owner}' } },
          e: { path: '/e/{owner}', partitions: [{ owner: 'o' }], partitionFields: { r: '{owner}/{repo}' } },
        },
      }),
    ).toEqual([
      'params.token: {owner} has no value; placeholders are {since}, {until}, partition keys',
      'streams.a.path: {repo} is not a key of every partition',
      'streams.b.path: {parent.id} needs a parent stream ("parent")',
      'streams.b.params.x: {y:unix} — a format applies to {since} and {until} only',
      expect.stringMatching(
        /^streams\.c: a child stream cannot have partitions .*\{\+parent\.comments_url\}/,
      ),
      'streams.d.partitionFields: needs partitions (it copies their values)',
      'streams.e.partitionFields.r: {repo} is not a key of every partition',
    ]);
  });

  test('a malformed placeholder is named, not sent as text', () => {
    expect(
      problemsOf({
        ...minimal,
        streams: { a: { path: '/a', params: { since: '{since:iso8601}', where: '{"a": 1}' } } },
      }),
    ).toEqual([
      'streams.a.params.since: {since:iso8601} is not a placeholder; write {name}, {name:format} (formats: iso, unix, unixMs, date, floating), {parent.<field>} or {+name}',
    ]);
  });

  test('cross-field: cursor paginator, page size, merge without a key', () => {
    expect(
      problemsOf({
        ...minimal,
        streams: {
          a: { path: '/a', paginator: { type: 'cursor', param: 'c', cursorPath: 'x', lastRecordPath: 'id' } },
          b: { path: '/b', paginator: { type: 'page', size: 10 } },
          c: { path: '/c', writeDisposition: 'merge' },
          d: { path: '/d', incremental: { cursorField: 'u', initialSince: 'yesterday' } },
        },
      }),
    ).toEqual([
      'streams.a.paginator: give cursorPath or lastRecordPath, not both',
      'streams.b.paginator: sizeParam and size go together',
      'streams.c.writeDisposition: "merge" needs a primaryKey',
      'streams.d.incremental.initialSince: not a date: "yesterday"',
    ]);
  });

  test('response rules accept a status class and reject a bad one', () => {
    expect(
      defineSource({ ...minimal, responseRules: [{ status: '5xx', action: 'fail' }] }).responseRules,
    ).toEqual([{ status: '5xx', action: 'fail' }]);
    expect(problemsOf({ ...minimal, responseRules: [{ status: '9xx', action: 'fail' }] })[0]).toMatch(
      /^responseRules\.0\.status/,
    );
  });
  test('a stream declares its schema contract (default evolve); its manifest carries it to the curate job', () => {
    const source = defineSource({
      ...minimal,
      streams: { items: { path: '/items' }, frozen: { path: '/f', schemaContract: 'freeze' } },
    });
    expect(source.streams.items!.schemaContract).toBe('evolve');
    const manifest = buildManifest({
      runId: 'r1',
      source: 'demo',
      stream: 'frozen',
      definition: source.streams.frozen!,
      importDate: '20261123',
      parts: [],
      pages: 0,
      startedAt: '2026-11-23T06:00:00Z',
      finishedAt: '2026-11-23T06:01:00Z',
      window: { since: null, until: '2026-11-23T06:00:00Z' },
      watermark: null,
    });
    expect(manifest.schemaContract).toBe('freeze');
    expect(manifest.checks).toEqual({
      primaryKey: 'error',
      freshness: null,
      rowCount: { band: 0.5, level: 'warn' },
    });
    expect(problemsOf({ ...minimal, streams: { items: { path: '/i', schemaContract: 'strict' } } })).toEqual([
      expect.stringMatching(/^streams\.items\.schemaContract: .*evolve.*freeze.*discardColumns/),
    ]);
  });
  test('checks: declared per stream, with defaults; the manifest carries them in seconds', () => {
    const source = defineSource({
      ...minimal,
      streams: {
        items: {
          path: '/items',
          primaryKey: 'id',
          checks: { primaryKey: 'warn', freshness: { maxAgeHours: 26 }, rowCount: null },
        },
      },
    });
    expect(source.streams.items!.checks).toEqual({
      primaryKey: 'warn',
      freshness: { maxAgeHours: 26, level: 'warn' },
      rowCount: null,
    });
    const manifest = buildManifest({
      runId: 'r1',
      source: 'demo',
      stream: 'items',
      definition: source.streams.items!,
      importDate: '20261123',
      parts: [],
      pages: 0,
      startedAt: '2026-11-23T06:00:00Z',
      finishedAt: '2026-11-23T06:01:00Z',
      window: { since: null, until: '2026-11-23T06:00:00Z' },
      watermark: null,
    });
    expect(manifest.checks).toEqual({
      primaryKey: 'warn',
      freshness: { maxAgeSeconds: 93_600, level: 'warn' },
      rowCount: null,
    });
    expect(
      problemsOf({
        ...minimal,
        streams: { items: { path: '/i', checks: { freshness: { maxAgeHours: 0 } } } },
      }),
    ).toEqual([expect.stringMatching(/^streams\.items\.checks\.freshness\.maxAgeHours: /)]);
  });

  test('oauth2RefreshToken: defaults, and a wait shorter than the lease or a key Tributary writes is refused', () => {
    const auth = {
      type: 'oauth2RefreshToken',
      tokenUrl: 'https://identity.xero.com/connect/token',
      clientIdKey: 'client_id',
      clientSecretKey: 'client_secret',
      refreshTokenKey: 'refresh_token',
    } as const;
    expect(defineSource({ ...minimal, auth }).auth).toMatchObject({
      clientAuth: 'basic',
      paramsIn: 'body',
      refreshMarginSeconds: 60,
      leaseSeconds: 30,
      waitSeconds: 60,
    });
    expect(problemsOf({ ...minimal, auth: { ...auth, leaseSeconds: 60, waitSeconds: 30 } })).toEqual([
      expect.stringMatching(
        /^auth\.waitSeconds: 30 is shorter than auth\.leaseSeconds: 60: .*make waitSeconds at least leaseSeconds$/,
      ),
    ]);
    expect(problemsOf({ ...minimal, auth: { ...auth, refreshTokenKey: 'access_token' } })).toEqual([
      expect.stringMatching(/^auth\.refreshTokenKey: "access_token" is the secret key Tributary writes/),
    ]);
    expect(problemsOf({ ...minimal, auth: { ...auth, refreshTokenKey: 'client_secret' } })).toEqual([
      expect.stringMatching(/^auth\.clientSecretKey: "client_secret" is also another/),
      expect.stringMatching(/^auth\.refreshTokenKey: "client_secret" is also another/),
    ]);
  });
});
