/**
 * `pnpm new-source`, run as a user runs it (the real script, a child process) against a temporary
 * copy of the repository: the refusals, then six sources covering every auth and pagination kind,
 * whose generated tests must pass unedited, `sls package --stage dev` of the copy with them
 * registered, and `sls invoke local` of one whose definition is broken (it must exit, not hang).
 * Then the path in a clone of the whole repository: `casenotes-data` generated, and the
 * clone's typecheck, lint, template tests, state machine tests and local-stack doubles test pass.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authKinds, paginatorKinds } from '@tributary/core/definition';
import { createStandInStack } from '@tributary/sandbox/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerInServerless } from '../new-source.ts';
import { AUTH_KINDS, PAGINATION_KINDS } from '../templates/new-source/variants.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name: string) => join(repo, 'node_modules/.bin', name);

/** What generating, testing and packaging need: config, serverless.yml and what it includes, the sources. */
function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-new-source-'));
  const skip = (src: string) =>
    !/(^|\/)(node_modules|\.serverless|\.esbuild|__pycache__|tests?)(\/|$)/.test(src.slice(repo.length));
  for (const file of [
    'package.json',
    'pnpm-workspace.yaml',
    'tsconfig.base.json',
    'tsconfig.json',
    'vitest.config.ts',
    'biome.json',
    'serverless.yml',
  ]) {
    cpSync(join(repo, file), join(dir, file));
  }
  for (const folder of ['stepfunctions', 'scripts/serverless', 'glue-scripts', 'functions']) {
    if (existsSync(join(repo, folder)))
      cpSync(join(repo, folder), join(dir, folder), { recursive: true, filter: skip });
  }
  cpSync(join(repo, 'test/support'), join(dir, 'test/support'), { recursive: true });
  // The workspace's installed packages, shared: resolution walks up to them from the new package.
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(repo, 'packages'), join(dir, 'packages'));
  return dir;
}

/**
 * The repository as `git clone` gives it (every tracked file and every new one not ignored, from the
 * working tree), installed: node_modules is the workspace's, except that each link to a workspace
 * package points into the clone, so the clone's tests, packaging and typecheck see only the clone.
 */
function cloneRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-clone-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (/^\.(venv|tools)$/.test(file) || !existsSync(join(repo, file))) continue; // shared toolchain; deleted files
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repo, file), join(dir, file), { verbatimSymlinks: true });
  }
  for (const shared of ['.venv', '.tools']) {
    if (existsSync(join(repo, shared))) symlinkSync(realpathSync(join(repo, shared)), join(dir, shared));
  }
  // pnpm's links (root and per package) are relative: copied as they are, they resolve in the clone;
  // the package store (.pnpm) is shared, and caches are the clone's own.
  const installed = (src: string) => !/\/node_modules\/(\.pnpm|\.cache|\.vite[^/]*|\.vitest[^/]*)$/.test(src);
  const modules = [
    'node_modules',
    ...['packages', 'functions'].flatMap((d) =>
      readdirSync(join(repo, d)).map((p) => join(d, p, 'node_modules')),
    ),
  ];
  for (const m of modules.filter((m) => existsSync(join(repo, m)))) {
    cpSync(join(repo, m), join(dir, m), { recursive: true, verbatimSymlinks: true, filter: installed });
  }
  symlinkSync(realpathSync(join(repo, 'node_modules/.pnpm')), join(dir, 'node_modules/.pnpm'));
  return dir;
}

/** The environment of a fresh shell: none of this test run's vitest or emulator settings. */
const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL|AWS_|NODE_OPTIONS$|POWERTOOLS_)/.test(k)),
  );

const newSource = (dir: string, ...args: string[]) =>
  spawnSync(bin('tsx'), [join(repo, 'scripts/new-source.ts'), '--dir', dir, '--skip-install', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: cleanEnv(),
  });

/** Kinds by the core's names and by their aliases (`oauth2`, kebab-case); each flag at least once. */
const combinations = [
  { name: 'casenotes-data', auth: 'bearer', pagination: 'cursor', flags: [] },
  { name: 'housing-repairs', auth: 'oauth2', pagination: 'link', flags: ['--child', 'repairs'] },
  { name: 'open-permits', auth: 'none', pagination: 'offset', flags: [] },
  {
    name: 'crm2',
    auth: 'apiKey',
    pagination: 'page',
    flags: ['--total-pages-path', 'meta.total_pages', '--rate-limit', '20', '--child', 'notes'],
  },
  { name: 'tickets-v2', auth: 'basic', pagination: 'nextUrl', flags: [] },
  { name: 'weather', auth: 'bearer', pagination: 'single', flags: ['--rate-limit', '2'] },
] as const;
/** Tests each generated test file holds: two, plus one per --rate-limit and per --total-pages-path. */
const generatedTests = combinations.reduce(
  (n, c) =>
    n +
    2 +
    (c.flags as readonly string[]).filter((f) => f === '--rate-limit' || f === '--total-pages-path').length,
  0,
);

let dir: string;

beforeAll(() => {
  dir = copyRepo();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pnpm new-source refuses', () => {
  it.each([
    ['Casenotes'],
    ['casenotes_data'],
    ['-casenotes'],
    ['casenotes-'],
    ['case--notes'],
    ['9lives'],
    ['case notes'],
  ])('the name %j, saying what a name is, and writes nothing', (name) => {
    const before = readFileSync(join(dir, 'serverless.yml'), 'utf8');
    const functions = readdirSync(join(dir, 'functions')).sort();

    const run = newSource(dir, '--', name);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`"${name}" is not a source name: lowercase words`);
    expect(readFileSync(join(dir, 'serverless.yml'), 'utf8')).toBe(before);
    expect(readdirSync(join(dir, 'functions')).sort()).toEqual(functions);
  });

  it('an option where the name should be', () => {
    const run = newSource(dir, '-casenotes');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("new-source: Unknown option '-c'");
    expect(run.stderr).toContain('usage: pnpm new-source <name>');
  });

  it('a name that exists', () => {
    const run = newSource(dir, 'github');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('functions/github already exists');
  });

  it('a name already registered in serverless.yml', () => {
    const yml = readFileSync(join(dir, 'serverless.yml'), 'utf8');
    expect(() => registerInServerless(registerInServerless(yml, 'ghost'), 'ghost')).toThrow(
      'source "ghost" is already registered in serverless.yml',
    );
  });

  it("an unknown auth or pagination kind, listing the core's kinds (the generator has no list of its own)", () => {
    expect(AUTH_KINDS).toEqual(Object.keys(authKinds));
    expect(PAGINATION_KINDS).toEqual(Object.keys(paginatorKinds));
    const auth = newSource(dir, 'some-api', '--auth', 'token');
    expect(auth.status).toBe(1);
    expect(auth.stderr).toContain(
      `unknown --auth "token": expected one of none, apiKey, bearer, basic, oauth2ClientCredentials, jwtBearer, oauth2RefreshToken (the core's kinds; also api-key, oauth2-client-credentials, jwt-bearer, oauth2-refresh-token, oauth2)`,
    );
    const pages = newSource(dir, 'some-api', '--pagination', 'scroll');
    expect(pages.stderr).toContain(
      `unknown --pagination "scroll": expected one of single, offset, page, cursor, nextUrl, link (the core's kinds; also next-url)`,
    );
    expect(existsSync(join(dir, 'functions/some-api'))).toBe(false);
  });

  it.each([
    [['--child', 'Notes'], '--child "Notes" is not a stream name: lowercase letters, digits and "_"'],
    [['--child', 'items'], 'other than items'],
    [
      ['--rate-limit', '0'],
      '--rate-limit "0": expected requests per second, a positive number (e.g. 5 or 0.5)',
    ],
    [['--rate-limit', 'fast'], '--rate-limit "fast": expected requests per second, a positive number'],
    [
      ['--total-pages-path', 'total_pages'],
      '--total-pages-path applies to --pagination page only (this source paginates by cursor)',
    ],
    [
      ['--pagination', 'page', '--total-pages-path', 'meta..pages'],
      '--total-pages-path "meta..pages" is not a body path: names joined by ".", e.g. meta.total_pages',
    ],
  ])('the flags %j, saying what was expected, and writes nothing', (flags, message) => {
    const before = readFileSync(join(dir, 'serverless.yml'), 'utf8');
    const run = newSource(dir, 'some-api', ...flags);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(existsSync(join(dir, 'functions/some-api'))).toBe(false);
    expect(readFileSync(join(dir, 'serverless.yml'), 'utf8')).toBe(before);
  });

  it('a serverless.yml without the registration markers', () => {
    expect(() => registerInServerless('service: x\nfunctions:\n  - a\n', 'x')).toThrow(
      'serverless.yml has no "# new-source: sources" marker',
    );
  });
});

describe('pnpm new-source scaffolds', () => {
  it('a package per auth and pagination kind, registered at the three markers', () => {
    for (const { name, auth, pagination, flags } of combinations) {
      const run = newSource(dir, name, '--auth', auth, '--pagination', pagination, ...flags);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      for (const file of [
        'package.json',
        'tsconfig.json',
        'function.yml',
        'README.md',
        'src/source.ts',
        'src/handler.ts',
        'double/index.ts',
        `test/${name}.test.ts`,
      ]) {
        expect(existsSync(join(dir, 'functions', name, file)), file).toBe(true);
      }
    }
    const handler = readFileSync(join(dir, 'functions/casenotes-data/src/handler.ts'), 'utf8');
    expect(handler).toContain('export const handler = createHandler(source);');
    const yml = readFileSync(join(dir, 'serverless.yml'), 'utf8');
    for (const { name } of combinations) {
      expect(yml).toContain(`\n    - ${name}\n`);
      expect(yml).toContain(`  - \${file(functions/${name}/function.yml):functions}\n`);
      expect(yml).toContain(`  - \${file(functions/${name}/function.yml):resources}\n`);
    }
    expect(readFileSync(join(dir, 'functions/open-permits/function.yml'), 'utf8')).not.toContain(
      'SECRET_NAME',
    );
    // The README says how local:up gives the source its secret and its own endpoints
    const readme = readFileSync(join(dir, 'functions/housing-repairs/README.md'), 'utf8');
    expect(readme).toContain('pnpm local:up --base-url housing-repairs=http://127.0.0.1:<port>');
    expect(readme).toContain(
      `--secret 'housing-repairs={"client_id":"fixture-client","client_secret":"fixture-client-SECRET-0123456789"}'`,
    );
    expect(readme).toContain('--token-url housing-repairs=');
    expect(readme).toContain('`HOUSING_REPAIRS_AUTH_TOKEN_URL`');
    expect(readme).toContain('pnpm local:invoke housing-repairs --follow');
    const open = readFileSync(join(dir, 'functions/open-permits/README.md'), 'utf8');
    expect(open).toContain('`OPEN_PERMITS_API_BASE_URL`');
    expect(open).not.toContain('--secret');
    // The flags, in the definitions (their behaviour: the generated tests below).
    const definition = (name: string) => readFileSync(join(dir, 'functions', name, 'src/source.ts'), 'utf8');
    expect(definition('crm2')).toContain("totalPagesPath: 'meta.total_pages'");
    expect(definition('crm2')).toContain('rateLimit: { requestsPerSecond: 20 }');
    expect(definition('weather')).toContain('rateLimit: { requestsPerSecond: 2 }');
    expect(definition('housing-repairs')).toContain("parent: { stream: 'items', carry: { item_id: 'id' } }");
    expect(definition('housing-repairs')).toContain("path: '/v1/items/{parent.id}/repairs'");
    expect(definition('casenotes-data')).not.toMatch(/rateLimit|parent:|totalPagesPath/);
    expect(definition('housing-repairs')).toContain("type: 'oauth2ClientCredentials'");
    expect(definition('tickets-v2')).toContain("type: 'nextUrl'");
  });

  it('whose tests pass unedited, and which lint clean', () => {
    const report = join(dir, 'vitest-report.json');
    const run = spawnSync(
      bin('vitest'),
      ['run', ...combinations.map((c) => `functions/${c.name}`), '--reporter=json', `--outputFile=${report}`],
      { cwd: dir, encoding: 'utf8', timeout: 300_000, env: cleanEnv() },
    );
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const results = JSON.parse(readFileSync(report, 'utf8'));
    expect(results.testResults).toHaveLength(combinations.length); // one test file per source
    expect(results.numTotalTests).toBe(generatedTests);
    expect(results.numPassedTests).toBe(generatedTests);

    const lint = spawnSync(bin('biome'), ['check', ...combinations.map((c) => `functions/${c.name}`)], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(lint.status, lint.stderr + lint.stdout).toBe(0);
  }, 360_000);

  it('that sls package --stage dev packages, with its defaults, its secret and the schedule', () => {
    const run = spawnSync(bin('sls'), ['package', '--stage', 'dev'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 600_000,
      env: cleanEnv(),
    });
    expect(run.status, run.stderr + run.stdout).toBe(0);

    const template = JSON.parse(
      readFileSync(join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
    );
    for (const { name, auth } of combinations) {
      const pascal = name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
      const fn = template.Resources[`${pascal}LambdaFunction`].Properties;
      expect(fn).toMatchObject({
        FunctionName: `tributary-dev-${name}`,
        MemorySize: 256,
        Timeout: 900,
        EphemeralStorage: { Size: 512 },
      });
      const env = fn.Environment.Variables;
      expect(env).toMatchObject({ OUTPUT_FOLDER: name, TARGET_S3_BUCKET_NAME: { Ref: 'RawBucket' } });
      expect(env.SECRET_NAME).toBe(auth === 'none' ? undefined : `api-credentials/${name}`);
      const statements = template.Resources[`${pascal}Role`].Properties.Policies[0].PolicyDocument.Statement;
      const resources = JSON.stringify(statements);
      expect(resources).toContain(`\${RawBucket.Arn}/${name}/*`);
      expect(resources).toContain(`\${RawBucket.Arn}/_state/${name}/*`);
      // Exactly its own secret (Secrets Manager's six-character suffix) and its own raw table.
      expect(resources.includes(`secret:api-credentials/${name}-??????`)).toBe(auth !== 'none');
      expect(resources).not.toContain(`secret:api-credentials/${name}-*`);
      expect(resources).toContain(`/raw_${name.replaceAll('-', '_')}_items"`);
      expect(resources).not.toMatch(/raw_[a-z0-9_]*\*/);
      const key = name.replace(/-([a-z0-9])/g, (_: string, c: string) => c.toUpperCase());
      expect(existsSync(join(dir, '.serverless', `${key}.zip`)), `${key}.zip`).toBe(true);
    }
    const rules = Object.values<{ Type: string; Properties: { Targets: { Input: string }[] } }>(
      template.Resources,
    );
    const schedule = rules.find((r) => r.Type === 'AWS::Events::Rule')!;
    const input = JSON.parse(schedule.Properties.Targets[0]!.Input);
    expect(input.sources).toEqual(expect.arrayContaining(combinations.map((c) => c.name)));
  }, 600_000);

  it('whose sls invoke local exits non-zero at once when its definition fails to load', async () => {
    // Prepare: a definition with a paginator kind the core does not have, as a newcomer may write
    // it, and what `pnpm local:up` provides (the emulator, the stand-in stack for `!Ref RawBucket`).
    const file = join(dir, 'functions/weather/src/source.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace("{ type: 'single' }", "{ type: 'pages' }"));
    await createStandInStack({
      stackName: 'tributary-dev',
      buckets: { RawBucket: 'new-source-invoke-raw', CuratedBucket: 'new-source-invoke-curated' },
      tables: { CoordinationTable: 'new-source-invoke-coordination' },
    });
    const aws = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')));

    // Act: bounded, so a hang shows as a kill (status null), not as a stuck test run.
    const run = spawnSync(
      bin('sls'),
      ['invoke', 'local', '-f', 'weather', '--stage', 'dev', '--data', '{"runId":"invoke-local-1"}'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...cleanEnv(), ...aws } },
    );

    // Assess
    expect(run.signal, 'sls invoke local was killed at the timeout: it hung').toBeNull();
    expect(run.status).toBe(1);
    const output = run.stdout + run.stderr;
    expect(output).toContain('DefinitionError: source weather: 1 problem in the definition');
    expect(output).toContain('streams.items.paginator.type: unknown kind "pages"; valid kinds: single');
  }, 180_000);
});

describe("the issue's path: a clone of the repository with casenotes-data generated", () => {
  let clone: string;
  const inClone = (command: string, args: string[], timeout: number) =>
    spawnSync(command, args, { cwd: clone, encoding: 'utf8', timeout, env: cleanEnv() });

  beforeAll(() => {
    clone = cloneRepo();
    const run = newSource(clone, 'casenotes-data', '--auth', 'oauth2', '--pagination', 'page');
    expect(run.status, run.stderr).toBe(0);
  });
  afterAll(() => {
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it('typechecks and lints clean', () => {
    const tsc = inClone(join(clone, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], 300_000);
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const biome = inClone(join(clone, 'node_modules/.bin/biome'), ['check', '.'], 120_000);
    expect(biome.status, biome.stdout + biome.stderr).toBe(0);
    expect(biome.stdout + biome.stderr).toMatch(/Checked \d+ files/);
    const ruff = inClone('bash', ['scripts/ruff.sh'], 120_000);
    expect(ruff.status, ruff.stdout + ruff.stderr).toBe(0);
  }, 400_000);

  it("passes the template and state machine tests, and the local stack runs it against the generator's double", () => {
    const files = [
      'test/stepfunctions/template.test.ts',
      'test/stepfunctions/execution.test.ts',
      'packages/sandbox/test/doubles.test.ts',
      'functions/casenotes-data',
    ];
    const report = join(clone, 'vitest-report.json');
    const run = inClone(
      join(clone, 'node_modules/.bin/vitest'),
      ['run', ...files, '--reporter=json', `--outputFile=${report}`],
      900_000,
    );
    expect(run.status, run.stderr + run.stdout).toBe(0);
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      numFailedTests: number;
      numPendingTests: number;
      testResults: { name: string; status: string; assertionResults: { title: string; status: string }[] }[];
    };
    // Every file ran in the clone (not the original), and nothing was skipped.
    expect(results.testResults.map((r) => r.name.slice(clone.length + 1)).sort()).toEqual(
      ['functions/casenotes-data/test/casenotes-data.test.ts', ...files.slice(0, 3)].sort(),
    );
    expect(results.testResults.every((r) => r.status === 'passed')).toBe(true);
    expect(results.numFailedTests).toBe(0);
    expect(results.numPendingTests).toBe(0);
    const doubles = results.testResults.find((r) => r.name.endsWith('doubles.test.ts'))!;
    expect(doubles.assertionResults.map((a) => a.status)).not.toContain('skipped');
  }, 900_000);
});
