/**
 * `pnpm new-source <name> [--auth none|api-key|bearer|basic|oauth2] [--pagination single|offset|page|cursor|next-url|link]`
 *
 * Scaffolds `functions/<name>/` (a working definition for the chosen auth and pagination, the
 * one-line handler, a fixture-API test that passes, a README, `function.yml`) and registers the
 * source in serverless.yml at its three `# new-source:` markers (see the header of serverless.yml).
 * Refuses a name that is not lowercase words joined by "-", or one that exists. Nothing is written
 * unless everything can be: the package is built in a temporary folder and moved into place, and
 * serverless.yml is replaced in one rename.
 *
 * Options: `--dir <repo>` generates into another copy of the repo (tests); `--skip-install` does not
 * run `pnpm install` afterwards (which links the new workspace package and updates the lockfile).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  AUTH,
  AUTH_KINDS,
  type AuthKind,
  PAGINATION,
  PAGINATION_KINDS,
  type PaginationKind,
} from './templates/new-source/variants.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TEMPLATES = join(here, 'templates/new-source');
/** Same rule as the definition schema's `name`. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export class NewSourceError extends Error {
  override readonly name = 'NewSourceError';
}

export interface NewSourceOptions {
  name: string;
  /** @default 'bearer' */
  auth?: AuthKind;
  /** @default 'cursor' */
  pagination?: PaginationKind;
  /** The repository to generate into. @default the repository this script lives in */
  dir?: string;
}

export interface NewSourceResult {
  packageDir: string;
  files: string[];
  key: string;
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (name: string) => camel(name).replace(/^./, (c) => c.toUpperCase());
const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** `{{var}}`, and blocks `{{#flag}}…{{/flag}}` kept only when the flag is set. */
export function render(
  template: string,
  vars: Record<string, string>,
  flags: Record<string, boolean>,
): string {
  let out = template.replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_, flag: string, body: string) =>
    flags[flag] ? body : '',
  );
  out = out.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    if (!(key in vars)) throw new NewSourceError(`template variable ${whole} has no value`);
    return vars[key]!;
  });
  return out;
}

function check<T extends string>(what: string, value: string, valid: readonly T[]): T {
  if (!valid.includes(value as T)) {
    throw new NewSourceError(`unknown ${what} "${value}": expected one of ${valid.join(', ')}`);
  }
  return value as T;
}

/** serverless.yml with the source added after the last entry at each `# new-source:` marker. */
export function registerInServerless(yml: string, name: string): string {
  const lines = yml.split('\n');
  const markerAt = (marker: string) => {
    const i = lines.findIndex((l) => l.includes(`new-source: ${marker}`));
    if (i < 0) {
      throw new NewSourceError(
        `serverless.yml has no "# new-source: ${marker}" marker: register sources as its header describes`,
      );
    }
    return i;
  };
  const insertAfterRun = (start: number, item: RegExp, line: (indentation: string) => string) => {
    let j = start;
    let indentation = '  ';
    while (j < lines.length && item.test(lines[j]!)) {
      indentation = /^(\s*)/.exec(lines[j]!)![1]!;
      j++;
    }
    lines.splice(j, 0, line(indentation));
  };

  const sources = markerAt('sources');
  const listAt = lines.findIndex((l, i) => i >= sources && /^\s*sources:\s*$/.test(l));
  if (listAt < 0)
    throw new NewSourceError('serverless.yml: no `sources:` list after "# new-source: sources"');
  const listed = [];
  for (let j = listAt + 1; j < lines.length && /^\s+- \S/.test(lines[j]!); j++)
    listed.push(lines[j]!.trim().slice(2));
  if (listed.includes(name))
    throw new NewSourceError(`source "${name}" is already registered in serverless.yml`);
  insertAfterRun(listAt + 1, /^\s+- \S/, (s) => `${s}- ${name}`);

  const fileRef = /^\s+- \$\{file\(functions\/[^)]+\/function\.yml\):(functions|resources)\}\s*$/;
  for (const section of ['functions', 'resources'] as const) {
    const at = markerAt(section);
    insertAfterRun(at + 1, fileRef, (s) => `${s}- \${file(functions/${name}/function.yml):${section}}`);
  }
  return lines.join('\n');
}

/** `{ key: 'value' }`, as the repo's formatter writes it. */
const tsLiteral = (o: Record<string, string>) => {
  const entries = Object.entries(o).map(([k, v]) => `${k}: '${v}'`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
};

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path).map((p) => join(entry, p)) : [entry];
  });
}

export function newSource(options: NewSourceOptions): NewSourceResult {
  const { name } = options;
  if (!NAME.test(name)) {
    throw new NewSourceError(
      `"${name}" is not a source name: lowercase words (letters and digits, starting with a letter) joined by "-", e.g. casenotes-data`,
    );
  }
  const auth = check('--auth', options.auth ?? 'bearer', AUTH_KINDS);
  const pagination = check('--pagination', options.pagination ?? 'cursor', PAGINATION_KINDS);
  const root = resolve(options.dir ?? join(here, '..'));
  const packageDir = join(root, 'functions', name);
  if (existsSync(packageDir)) throw new NewSourceError(`functions/${name} already exists: pick another name`);
  const ymlPath = join(root, 'serverless.yml');
  if (!existsSync(ymlPath))
    throw new NewSourceError(`no serverless.yml in ${root}: --dir must be the repository root`);
  const yml = registerInServerless(readFileSync(ymlPath, 'utf8'), name);

  const a = AUTH[auth];
  const p = PAGINATION[pagination];
  const secret = a.secret !== undefined;
  const vars: Record<string, string> = {
    name,
    key: camel(name),
    pascal: pascal(name),
    snake: name.replaceAll('-', '_'),
    title: name
      .split('-')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(' '),
    auth,
    pagination,
    authDefinition: a.definition,
    authReadme: a.readme,
    authCheck: indent(a.check, '  '),
    expectation: a.expectation,
    secretJson: JSON.stringify(a.secret ?? {}),
    secretLiteral: tsLiteral(a.secret ?? {}),
    records: p.records,
    paginator: p.paginator,
    respond: indent(p.respond, '  '),
    pages: String(p.pages),
    paginationReadme: p.readme,
  };

  // Build the package beside its final place, then move it in one rename.
  const staging = mkdtempSync(join(root, 'functions', `.${name}-`));
  try {
    const written: string[] = [];
    for (const template of listFiles(TEMPLATES).filter((f) => f.endsWith('.tmpl'))) {
      let target = template.slice(0, -'.tmpl'.length);
      if (target === join('test', 'source.test.ts')) target = join('test', `${name}.test.ts`);
      const out = join(staging, target);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, render(readFileSync(join(TEMPLATES, template), 'utf8'), vars, { secret }));
      written.push(join('functions', name, target));
    }
    renameSync(staging, packageDir);
    // The repo's formatter, when installed, so the new files read like the rest.
    const biome = join(root, 'node_modules/.bin/biome');
    if (existsSync(biome))
      spawnSync(biome, ['format', '--write', packageDir], { cwd: root, stdio: 'ignore' });
    const tmpYml = `${ymlPath}.${process.pid}.tmp`;
    writeFileSync(tmpYml, yml);
    renameSync(tmpYml, ymlPath);
    return { packageDir, files: [...written.sort(), 'serverless.yml'], key: camel(name) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        auth: { type: 'string' },
        pagination: { type: 'string' },
        dir: { type: 'string' },
        'skip-install': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  const usage = `usage: pnpm new-source <name> [--auth ${AUTH_KINDS.join('|')}] [--pagination ${PAGINATION_KINDS.join('|')}] [--dir <repo>] [--skip-install]`;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`new-source: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`new-source: expected one source name, got ${positionals.length}\n${usage}`);
    return 2;
  }
  try {
    const result = newSource({
      name: positionals[0]!,
      auth: values.auth as AuthKind | undefined,
      pagination: values.pagination as PaginationKind | undefined,
      dir: values.dir,
    });
    const root = resolve(values.dir ?? join(here, '..'));
    console.log(`created ${relative(process.cwd(), result.packageDir) || '.'}:`);
    for (const f of result.files) console.log(`  ${f}`);
    if (!values['skip-install']) {
      const install = spawnSync('pnpm', ['install', '--reporter=silent'], { cwd: root, stdio: 'inherit' });
      if (install.status !== 0)
        console.error('new-source: pnpm install failed; run it yourself to link the package');
    }
    const name = positionals[0]!;
    console.log(`next:
  1. describe the API in functions/${name}/src/source.ts and its double in functions/${name}/test/api.ts
     (its sandboxDouble is what pnpm demo and the e2e tests run the source against)
  2. pnpm vitest run functions/${name}
  3. create the secret api-credentials/${name} (see functions/${name}/README.md), then sls package --stage dev`);
    return 0;
  } catch (error) {
    if (error instanceof NewSourceError) {
      console.error(`new-source: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
