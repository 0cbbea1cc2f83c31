/**
 * `pnpm new-source <name> [--auth <kind>] [--pagination <kind>] [--child <stream>] [--rate-limit <rps>]
 *   [--total-pages-path <path>]`
 *
 * Scaffolds `functions/<name>/` (a working definition for the chosen auth and pagination, the
 * one-line handler, a fixture-API test that passes, a README, `function.yml`) and registers the
 * source in serverless.yml at its three `# new-source:` markers (see the header of serverless.yml).
 * Refuses a name that is not lowercase words joined by "-", or one that exists. Nothing is written
 * unless everything can be: the package is built in a temporary folder and moved into place, and
 * serverless.yml is replaced in one rename.
 *
 * The kinds are the core's auth and paginator registries' (`apiKey`, `nextUrl`, …; kebab-case and
 * `oauth2` accepted too). `--child <stream>` adds a child stream of `items`, one walk per item
 * (`/v1/items/{parent.id}/<stream>`, the item's id carried as `item_id`); `--rate-limit <rps>` sets
 * `rateLimit.requestsPerSecond`; `--total-pages-path <path>` (with `--pagination page`) stops the
 * walk after the number of pages the body states at that path.
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
import { sourceEnvName } from '@tributary/core/definition';
import {
  AUTH,
  AUTH_ALIASES,
  AUTH_KINDS,
  PAGINATION,
  PAGINATION_ALIASES,
  PAGINATION_KINDS,
} from './templates/new-source/variants.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TEMPLATES = join(here, 'templates/new-source');
/** Same rule as the definition schema's `name`. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Same rule as the definition schema's stream names. */
const STREAM = /^[a-z][a-z0-9_]*$/;
/** A body path the fixture can serve: dotted names. */
const BODY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export class NewSourceError extends Error {
  override readonly name = 'NewSourceError';
}

export interface NewSourceOptions {
  name: string;
  /** A core auth kind, or its kebab-case / `oauth2` alias. @default 'bearer' */
  auth?: string;
  /** A core paginator kind, or its kebab-case alias. @default 'cursor' */
  pagination?: string;
  /** A child stream of `items`, walked once per item. @default none */
  child?: string;
  /** `rateLimit.requestsPerSecond`. @default none (unlimited) */
  rateLimit?: string | number;
  /** The page paginator's `totalPagesPath` (only with pagination `page`). @default none */
  totalPagesPath?: string;
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

/** A core kind by its name or an alias; an unknown one is refused, listing the core's kinds. */
function kind<T extends string>(
  what: string,
  value: string,
  valid: readonly T[],
  aliases: Record<string, T>,
): T {
  if (valid.includes(value as T)) return value as T;
  const aliased = Object.hasOwn(aliases, value) ? aliases[value] : undefined;
  if (aliased) return aliased;
  throw new NewSourceError(
    `unknown ${what} "${value}": expected one of ${valid.join(', ')} (the core's kinds; also ${Object.keys(aliases).join(', ')})`,
  );
}

/** `, meta: { total_pages: <expr> }` for the path `meta.total_pages`. */
const bodyAt = (path: string, expr: string) =>
  `, ${path
    .split('.')
    .reduceRight((inner, key) => `{ ${key}: ${inner} }`, expr)
    .slice(2, -2)}`;

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
  const auth = kind('--auth', options.auth ?? 'bearer', AUTH_KINDS, AUTH_ALIASES);
  const pagination = kind(
    '--pagination',
    options.pagination ?? 'cursor',
    PAGINATION_KINDS,
    PAGINATION_ALIASES,
  );
  const { child, totalPagesPath } = options;
  if (child !== undefined && (!STREAM.test(child) || child === 'items')) {
    throw new NewSourceError(
      `--child "${child}" is not a stream name: lowercase letters, digits and "_", starting with a letter, other than items (e.g. notes)`,
    );
  }
  const rps = options.rateLimit === undefined ? undefined : Number(options.rateLimit);
  if (rps !== undefined && !(Number.isFinite(rps) && rps > 0)) {
    throw new NewSourceError(
      `--rate-limit "${options.rateLimit}": expected requests per second, a positive number (e.g. 5 or 0.5)`,
    );
  }
  if (totalPagesPath !== undefined && pagination !== 'page') {
    throw new NewSourceError(
      `--total-pages-path applies to --pagination page only (this source paginates by ${pagination})`,
    );
  }
  if (totalPagesPath !== undefined && !BODY_PATH.test(totalPagesPath)) {
    throw new NewSourceError(
      `--total-pages-path "${totalPagesPath}" is not a body path: names joined by ".", e.g. meta.total_pages`,
    );
  }
  const root = resolve(options.dir ?? join(here, '..'));
  const packageDir = join(root, 'functions', name);
  if (existsSync(packageDir)) throw new NewSourceError(`functions/${name} already exists: pick another name`);
  const ymlPath = join(root, 'serverless.yml');
  if (!existsSync(ymlPath))
    throw new NewSourceError(`no serverless.yml in ${root}: --dir must be the repository root`);
  const yml = registerInServerless(readFileSync(ymlPath, 'utf8'), name);

  const a = AUTH[auth];
  if ('notGenerated' in a) throw new NewSourceError(`--auth ${auth} is not generated: ${a.notGenerated}`);
  const p = PAGINATION[pagination];
  const secret = a.secret !== undefined;
  const flags = {
    secret,
    child: child !== undefined,
    rateLimit: rps !== undefined,
    totalPages: totalPagesPath !== undefined,
  };
  const paginator = totalPagesPath
    ? p.paginator.replace(/ \}$/, `, totalPagesPath: '${totalPagesPath}' }`)
    : p.paginator;
  const respond = render(
    p.respond,
    { totalPagesBody: totalPagesPath ? bodyAt(totalPagesPath, 'Math.ceil(items.length / size)') : '' },
    {},
  );
  const vars: Record<string, string> = {
    name,
    key: camel(name),
    pascal: pascal(name),
    snake: name.replaceAll('-', '_'),
    // The per-source endpoint variables' prefix (core's sourceEnvName): CASENOTES_DATA_API_BASE_URL.
    envPrefix: sourceEnvName(name, 'API_BASE_URL').slice(0, -'_API_BASE_URL'.length),
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
    paginator,
    respond: indent(respond, '  '),
    childRespond: indent(respond, '    '),
    pages: String(p.pages),
    paginationReadme: totalPagesPath
      ? `${p.readme} The body's \`${totalPagesPath}\` gives the number of pages: the walk stops after it.`
      : p.readme,
    child: child ?? '',
    rateLimit: String(rps ?? ''),
    totalPagesPath: totalPagesPath ?? '',
    flags: [
      ...(child ? [`--child ${child}`] : []),
      ...(rps ? [`--rate-limit ${rps}`] : []),
      ...(totalPagesPath ? [`--total-pages-path ${totalPagesPath}`] : []),
    ]
      .map((f) => ` ${f}`)
      .join(''),
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
      writeFileSync(out, render(readFileSync(join(TEMPLATES, template), 'utf8'), vars, flags));
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
        child: { type: 'string' },
        'rate-limit': { type: 'string' },
        'total-pages-path': { type: 'string' },
        dir: { type: 'string' },
        'skip-install': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  }
  const usage = `usage: pnpm new-source <name> [--auth ${AUTH_KINDS.join('|')}] [--pagination ${PAGINATION_KINDS.join('|')}]
  [--child <stream>] [--rate-limit <requests per second>] [--total-pages-path <body path>] [--dir <repo>] [--skip-install]`;
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
      auth: values.auth,
      pagination: values.pagination,
      child: values.child,
      rateLimit: values['rate-limit'],
      totalPagesPath: values['total-pages-path'],
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
  1. describe the API in functions/${name}/src/source.ts and its double in functions/${name}/double/index.ts
     (its sandboxDouble is what pnpm demo and the e2e tests run the source against)
  2. pnpm vitest run functions/${name}
  3. create the secret api-credentials/${name} (see functions/${name}/README.md), then sls package --stage dev
  4. pnpm check ${name}: each stream's first page against the real API (or a double: docs/local.md), before sls deploy`);
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
