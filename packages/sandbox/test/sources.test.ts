/**
 * The sandbox's list of sources is derived from the sources' doubles: each
 * `functions/<source>/double/index.ts` exporting a `sandboxApi` is one, and a name outside that list
 * is refused with an error listing the valid ones.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSandbox,
  DEFAULT_CREDENTIALS,
  discoverApiDoubles,
  type SandboxApiDouble,
  SandboxError,
  SandboxOptionsError,
  SOURCE_NAMES,
  type SourceName,
} from '../src/index.ts';
import { repoRoot } from '../src/local/index.ts';

/** A double the sandbox can mount, without imports (types are erased). */
const API_DOUBLE = (name: string) => `
export const sandboxApi = {
  name: '${name}',
  credentials: { token: 'fresh-token' },
  create: ({ records }) => ({
    name: '${name}',
    routes: [{ method: 'GET', pattern: /\\/fresh\\/items$/, handle: () => ({ status: 200, body: { n: records } }) }],
    authorize: () => undefined,
    advance() {},
    records: () => [],
    streams: () => ['items'],
  }),
  env: (url) => ({ FRESH_URL: url }),
};
`;

let root: string;
const write = (source: string, text: string) => {
  mkdirSync(join(root, 'functions', source, 'double'), { recursive: true });
  writeFileSync(join(root, 'functions', source, 'double/index.ts'), text);
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sandbox-sources-'));
  write('fresh-api', API_DOUBLE('fresh-api'));
  write('local-only', 'export const sandboxDouble = { routes: () => () => ({ body: [] }) };\n');
  mkdirSync(join(root, 'functions/no-double/src'), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sandbox sources', () => {
  it("are this repository's doubles that export sandboxApi, each with its own credentials", () => {
    const module = (s: string) => join(repoRoot, 'functions', s, 'double/index.ts');
    const withApi = readdirSync(join(repoRoot, 'functions')).filter(
      (s) => existsSync(module(s)) && readFileSync(module(s), 'utf8').includes('export const sandboxApi'),
    );
    expect([...SOURCE_NAMES]).toEqual(withApi.sort());
    expect(SOURCE_NAMES).toEqual(expect.arrayContaining(['github', 'hotmart', 'socrata', 'stripe']));
    expect(Object.keys(DEFAULT_CREDENTIALS).sort()).toEqual([...SOURCE_NAMES].sort());
    expect(DEFAULT_CREDENTIALS.github).toEqual({ token: expect.stringMatching(/^ghp_/) });
  });

  it('are found beside each source: a sandboxApi double is one, a local-only double or none is not', async () => {
    const found = await discoverApiDoubles(root);
    expect(found.map((d: SandboxApiDouble) => d.name)).toEqual(['fresh-api']);
    const api = found[0]!.create({ records: 3 } as Parameters<SandboxApiDouble['create']>[0]);
    expect(api.routes[0]!.handle({} as never)).toEqual({ status: 200, body: { n: 3 } });
    expect(found[0]!.env?.('http://x', {} as never)).toEqual({ FRESH_URL: 'http://x' });
  });

  it('refuse a double named other than its folder, or not shaped as a SandboxApiDouble', async () => {
    const other = mkdtempSync(join(tmpdir(), 'sandbox-sources-bad-'));
    try {
      mkdirSync(join(other, 'functions/renamed/double'), { recursive: true });
      writeFileSync(join(other, 'functions/renamed/double/index.ts'), API_DOUBLE('fresh-api'));
      await expect(discoverApiDoubles(other)).rejects.toThrow(
        'functions/renamed/double/index.ts: sandboxApi.name is "fresh-api"; it must be the source\'s folder name, "renamed"',
      );
      writeFileSync(
        join(other, 'functions/renamed/double/index.ts'),
        'export const sandboxApi = { name: 1 };\n',
      );
      await expect(discoverApiDoubles(join(other, '.'))).rejects.toThrow(SandboxError);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuse an unknown source by name, listing the valid ones', async () => {
    const valid = SOURCE_NAMES.join(', ');
    await expect(createSandbox({ records: { nope: 3 } as never })).rejects.toThrow(
      `records: unknown source "nope"; valid: ${valid}`,
    );
    await expect(createSandbox({ credentials: { nope: {} } as never })).rejects.toThrow(SandboxOptionsError);
    const s = await createSandbox({ records: 2, faults: false });
    try {
      expect(() => s.env('nope' as SourceName)).toThrow(`unknown source "nope"; valid: ${valid}`);
      expect(() => s.records('nope' as SourceName, 'x')).toThrow(SandboxOptionsError);
      expect(s.env('socrata')).toMatchObject({
        API_BASE_URL: s.url,
        SOCRATA_DATASETS: 'erm2-nwe9,ydr8-5enu',
      });
      expect(s.env('hotmart')).toEqual({ API_BASE_URL: s.url, AUTH_TOKEN_URL: s.tokenUrl });
    } finally {
      await s.stop();
    }
  });
});
