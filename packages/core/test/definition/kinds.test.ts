/**
 * The kind registries (auth/registry.ts, pagination/registry.ts, decoding/registry.ts): every registered kind has every
 * fact the rest of the core, the docs and the generator read from it, and its facts are true of its
 * implementation — a paginator reads no body path it does not declare, an auth kind declares every
 * secret key field it has. The README's tables are the registries' (definition/kindTables.ts).
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { AuthSchema, authKinds } from '../../src/auth/registry.ts';
import type { AuthContext, AuthKind } from '../../src/auth/types.ts';
import { DecoderSchema, decoderKinds } from '../../src/decoding/registry.ts';
import type { DecoderKind } from '../../src/decoding/types.ts';
import { kindName } from '../../src/definition/kinds.ts';
import { README, withKindTables } from '../../src/definition/kindTables.ts';
import { SourceSchema } from '../../src/definition/schema.ts';
import { PaginatorSchema, paginatorKinds } from '../../src/pagination/registry.ts';
import type { PageResult, PaginatorKind } from '../../src/pagination/types.ts';
import { RequestSchema, requestKinds } from '../../src/request/registry.ts';
import type { RequestKind } from '../../src/request/types.ts';

type Facts = Record<string, (value: unknown) => boolean>;

const nonEmptyText = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
const fn = (v: unknown) => typeof v === 'function';
const COMMON: Facts = {
  schema: (v) => typeof (v as { safeParse?: unknown })?.safeParse === 'function',
  examples: (v) => Array.isArray(v) && v.length > 0,
  generator: (v) => {
    const g = v as { offered?: unknown; instead?: unknown } | undefined;
    return g?.offered === true || (g?.offered === false && nonEmptyText(g.instead));
  },
  create: fn,
};
const PAGINATOR_FACTS: Facts = {
  ...COMMON,
  doc: (v) =>
    nonEmptyText((v as { how?: unknown })?.how) && nonEmptyText((v as { stopsOn?: unknown })?.stopsOn),
  bodyPaths: fn,
  check: (v) => v === undefined || fn(v),
};
const REQUEST_FACTS: Facts = {
  ...COMMON,
  doc: (v) =>
    nonEmptyText((v as { sends?: unknown })?.sends) && nonEmptyText((v as { retries?: unknown })?.retries),
  carriesBody: (v) => typeof v === 'boolean',
  templates: fn,
};
const DECODER_FACTS: Facts = {
  ...COMMON,
  doc: (v) =>
    nonEmptyText((v as { decodes?: unknown })?.decodes) &&
    nonEmptyText((v as { records?: unknown })?.records),
  check: (v) => v === undefined || fn(v),
};
const AUTH_FACTS: Facts = {
  ...COMMON,
  doc: nonEmptyText,
  secretKeyFields: (v) => Array.isArray(v) && v.every((f) => typeof f === 'string'),
  env: (v) => Array.isArray(v) && v.every((e) => e === 'AUTH_TOKEN_URL'),
  worksWithoutSecret: (v) => v === undefined || fn(v),
};

/** The facts a kind lacks or gets wrong, by name. */
function missingFacts(kind: object, facts: Facts): string[] {
  return Object.entries(facts).flatMap(([fact, ok]) =>
    ok((kind as Record<string, unknown>)[fact]) ? [] : [fact],
  );
}

/**
 * Runs a paginator kind's example on a sample page whose body records every path read from it,
 * and returns the paths read that its `bodyPaths` does not declare (a read inside a declared path's
 * value is covered), and the declared paths the example never read.
 */
function bodyReads(kind: PaginatorKind, input: unknown): { undeclared: string[]; unread: string[] } {
  const definition = kind.schema.parse(input);
  const read = new Set<string>();
  const recorder = (path: string[]): unknown =>
    new Proxy(
      {},
      {
        get(_target, key) {
          if (typeof key === 'symbol') return undefined;
          const at = [...path, key];
          read.add(at.join('.'));
          return recorder(at);
        },
      },
    );
  const paginator = kind.create(definition);
  const state = paginator.start();
  paginator.request(state);
  const page: PageResult = {
    body: recorder([]),
    records: [
      { id: 'a', updated_at: '2026-11-01T00:00:00Z' },
      { id: 'b', updated_at: '2026-11-02T00:00:00Z' },
    ],
    headers: { link: '<https://api.example.com/items?page=2>; rel="next"' },
    url: new URL('https://api.example.com/items'),
    cleanUrl: (href) => href,
  };
  paginator.next(state, page);
  const declared = kind.bodyPaths(definition);
  const covered = (path: string) =>
    declared.some((d) => path === d || path.startsWith(`${d}.`) || d.startsWith(`${path}.`));
  return {
    undeclared: [...read].filter((path) => !covered(path)),
    unread: declared.filter((d) => !read.has(d)),
  };
}

const context: AuthContext = {
  source: 'kinds-test',
  baseUrl: 'https://api.example.com',
  credentials: async () => {
    throw new Error('not called: creating a provider reads no secret');
  },
  hide: () => {},
  send: async () => {
    throw new Error('not called');
  },
};

describe.each([
  ['paginator', paginatorKinds as Record<string, PaginatorKind>, PaginatorSchema, PAGINATOR_FACTS],
  ['auth', authKinds as Record<string, AuthKind>, AuthSchema, AUTH_FACTS],
  ['request', requestKinds as Record<string, RequestKind>, RequestSchema, REQUEST_FACTS],
  ['decoder', decoderKinds as Record<string, DecoderKind>, DecoderSchema, DECODER_FACTS],
] as const)('every %s kind', (_what, kinds, union, facts) => {
  test('has every fact', () => {
    expect(Object.keys(kinds).length).toBeGreaterThan(0);
    for (const [type, kind] of Object.entries(kinds))
      expect([type, missingFacts(kind, facts)]).toEqual([type, []]);
  });

  test("is registered under its schema's type, and the definition's union is the registry's, in order", () => {
    for (const [type, kind] of Object.entries(kinds)) expect(kindName(kind.schema)).toBe(type);
    expect(union.options.map((schema) => kindName(schema))).toEqual(Object.keys(kinds));
  });

  test('has examples the definition accepts, whose implementation can be built', () => {
    for (const [type, kind] of Object.entries(kinds)) {
      for (const example of kind.examples) {
        expect(kind.schema.safeParse(example).success, `${type}: ${JSON.stringify(example)}`).toBe(true);
        expect(union.safeParse(example).success).toBe(true);
      }
    }
  });
});

describe('the check of facts', () => {
  test('names a fact a kind lacks', () => {
    const { bodyPaths: _, ...withoutBodyPaths } = paginatorKinds.cursor;
    expect(missingFacts(withoutBodyPaths, PAGINATOR_FACTS)).toEqual(['bodyPaths']);
    expect(missingFacts({ ...authKinds.bearer, doc: '', env: undefined }, AUTH_FACTS)).toEqual([
      'doc',
      'env',
    ]);
    expect(missingFacts({ ...authKinds.jwtBearer, generator: { offered: false } }, AUTH_FACTS)).toEqual([
      'generator',
    ]);
  });
});

describe('a paginator kind', () => {
  test.each(
    Object.entries(paginatorKinds).flatMap(([type, kind]) =>
      kind.examples.map(
        (example) => [type, JSON.stringify(example), kind as PaginatorKind, example] as const,
      ),
    ),
  )('%s %s reads from the body only the paths it declares, and reads them', (_type, _json, kind, example) => {
    expect(bodyReads(kind, example)).toEqual({ undeclared: [], unread: [] });
  });

  test('that reads the body but declares no path is caught', () => {
    // nextUrl's implementation with its bodyPaths forgotten: the fast path would hand it an emptied body
    const forgetful: PaginatorKind = { ...(paginatorKinds.nextUrl as PaginatorKind), bodyPaths: () => [] };
    expect(bodyReads(forgetful, { type: 'nextUrl', path: 'links.next' }).undeclared).toEqual([
      'links',
      'links.next',
    ]);
  });
});

describe('an auth kind', () => {
  /** The schema's fields that name a secret's key: by the definition's convention, those ending in `Key`. */
  const keyFields = (kind: AuthKind) =>
    Object.keys(kind.schema.shape).filter((field) => field.endsWith('Key'));

  test.each(Object.entries(authKinds))(
    '%s declares every secret key field it has, in order',
    (_type, kind) => {
      expect(kind.secretKeyFields).toEqual(keyFields(kind as AuthKind));
    },
  );

  test('that forgets a secret key field is caught', () => {
    const forgetful = { ...(authKinds.basic as AuthKind), secretKeyFields: ['usernameKey'] };
    expect(forgetful.secretKeyFields).not.toEqual(keyFields(forgetful));
  });

  test.each(Object.entries(authKinds))(
    '%s reads AUTH_TOKEN_URL exactly when it has a tokenUrl',
    (_type, kind) => {
      expect(kind.env.includes('AUTH_TOKEN_URL')).toBe('tokenUrl' in kind.schema.shape);
    },
  );

  test.each(Object.entries(authKinds))(
    '%s builds a provider from each example without reading the secret',
    (_type, kind) => {
      for (const example of kind.examples) {
        const provider = (kind as AuthKind).create(kind.schema.parse(example), context);
        expect(typeof provider.apply).toBe('function');
        expect(typeof provider.refresh).toBe('function');
        expect(Array.isArray(provider.queryParams)).toBe(true);
      }
    },
  );
});

describe('a request kind', () => {
  const values = {
    since: new Date('2026-11-01T00:00:00Z'),
    until: new Date('2026-11-02T00:00:00Z'),
    vars: { owner: 'acme' },
  };
  const where = { source: 'kinds-test', stream: 'items' };

  test.each(
    Object.entries(requestKinds).flatMap(([type, kind]) =>
      kind.examples.map((example) => [type, JSON.stringify(example), kind as RequestKind, example] as const),
    ),
  )('%s %s declares each of its templates, and renders and encodes a page', (_type, _json, kind, example) => {
    const definition = kind.schema.parse(example);
    const style = kind.create(definition);
    expect(style.templates.map((t) => t.source)).toEqual(Object.values(kind.templates(definition)));
    const encoded = style.encode(style.render(values, where), undefined);
    expect(encoded === undefined).toBe(!kind.carriesBody);
    expect(style.method === 'GET').toBe(!kind.carriesBody);
    // Every template rendered: no placeholder is left in what is sent.
    expect(encoded?.body ?? '').not.toMatch(/\{[a-z]/i);
    if (encoded?.contentType === 'application/json') expect(() => JSON.parse(encoded.body)).not.toThrow();
  });

  test('a GET is retry-safe; a body kind only when its definition says so', () => {
    expect(requestKinds.get.create({ type: 'get' }).retrySafe).toBe(true);
    const json = requestKinds.json.schema.parse({ type: 'json', method: 'POST' });
    expect(requestKinds.json.create(json).retrySafe).toBe(false);
    const form = requestKinds.form.schema.parse({ type: 'form', method: 'PUT', retrySafe: true });
    expect(requestKinds.form.create(form).retrySafe).toBe(true);
  });
});

describe('a decoder kind', () => {
  /** A small file each streamed kind's examples decode, by kind: its bytes and the records expected. */
  const samples: Record<string, (example: Record<string, unknown>) => { bytes: string; records: unknown[] }> =
    {
      jsonl: () => ({ bytes: '{"id":"1"}\n{"id":"2"}\n', records: [{ id: '1' }, { id: '2' }] }),
      csv: (example) => {
        const d = (example.delimiter as string | undefined) ?? ',';
        const header = example.columns ? '' : `id${d}name\n`;
        return {
          bytes: `${header}1${d}"a${d}b"\n2${d}c\n`,
          records: [
            { id: '1', name: `a${d}b` },
            { id: '2', name: 'c' },
          ],
        };
      },
    };

  test.each(
    Object.entries(decoderKinds).flatMap(([type, kind]) =>
      kind.examples.map((example) => [type, JSON.stringify(example), kind as DecoderKind, example] as const),
    ),
  )('%s %s is the buffered JSON path or decodes a file as it streams', async (type, _json, kind, example) => {
    const transform = kind.create(kind.schema.parse(example));
    if (type === 'json') return expect(transform).toBeUndefined();
    const sample = samples[type]?.(example as Record<string, unknown>);
    expect(sample, `a sample file for ${type} in this test`).toBeDefined();
    const where = { source: 'kinds-test', stream: 'items', url: 'https://api.example.com/items' };
    const records = await Readable.from([Buffer.from(sample!.bytes)])
      .pipe(await transform!(where))
      .toArray();
    expect(records).toEqual(sample!.records);
  });
});

describe('definition/README.md', () => {
  test('has the tables of kinds the registries render (else: pnpm --filter @tributary/core kind-tables)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withKindTables(readme)).toBe(readme);
  });

  test('a stale table is caught', () => {
    const readme = readFileSync(README, 'utf8');
    const stale = readme.replace('| `link` |', '| `linkHeader` |');
    expect(stale).not.toBe(readme);
    expect(withKindTables(stale)).not.toBe(stale);
    const staleDecoders = readme.replace('| `jsonl` |', '| `ndjson` |');
    expect(staleDecoders).not.toBe(readme);
    expect(withKindTables(staleDecoders)).not.toBe(staleDecoders);
  });
});

test('a source definition takes every registered kind (the SourceSchema is composed of the unions)', () => {
  for (const auth of Object.values(authKinds as Record<string, AuthKind>).flatMap((kind) => kind.examples)) {
    for (const paginator of Object.values(paginatorKinds as Record<string, PaginatorKind>).flatMap(
      (kind) => kind.examples,
    )) {
      const parsed = SourceSchema.safeParse({
        name: 'kinds',
        baseUrl: 'https://api.example.com',
        auth,
        streams: { items: { path: '/items', paginator } },
      });
      expect(parsed.success).toBe(true);
    }
    for (const request of Object.values(requestKinds as Record<string, RequestKind>).flatMap(
      (kind) => kind.examples,
    )) {
      const parsed = SourceSchema.safeParse({
        name: 'kinds',
        baseUrl: 'https://api.example.com',
        auth,
        streams: { items: { path: '/items', request } },
      });
      expect(parsed.success).toBe(true);
    }
  }
});

test('a stream takes every registered decoder kind', () => {
  for (const decoder of Object.values(decoderKinds as Record<string, DecoderKind>).flatMap(
    (k) => k.examples,
  )) {
    const parsed = SourceSchema.safeParse({
      name: 'kinds',
      baseUrl: 'https://api.example.com',
      streams: { items: { path: '/items', decoder, compression: 'gzip' } },
    });
    expect(parsed.success).toBe(true);
  }
});
