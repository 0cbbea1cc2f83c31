/**
 * `@tributary/core`'s public surface stays small: its root export is what a source author uses, at
 * most 20 names counting value and type exports; everything else other packages need goes through
 * a named subpath of packages/core/package.json `exports`, each a file that only re-exports, and
 * each imported by something outside packages/core (else it is not a surface, only a leak).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const core = join(root, 'packages/core');
const MAX_ROOT_NAMES = 20;
const exportsMap = (
  JSON.parse(readFileSync(join(core, 'package.json'), 'utf8')) as { exports: Record<string, string> }
).exports;

/** Every name a module exports, values and types, as the type checker sees them (`export *` expanded). */
function exportedNames(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`cannot read ${file}`);
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} is not a module`);
  return checker
    .getExportsOfModule(module)
    .map((s) => s.name)
    .sort();
}

/** Files outside packages/core that a consumer could import from: sources, tests, scripts, templates. */
function filesOutsideCore(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(
      (f) =>
        /\.(ts|mts|cts|js|mjs|cjs|tmpl)$/.test(f) &&
        !f.startsWith('packages/core/') &&
        !/(^|\/)(node_modules|\.venv|\.tools)\//.test(f) &&
        existsSync(join(root, f)),
    );
}

describe('@tributary/core public surface', () => {
  it(`exports at most ${MAX_ROOT_NAMES} names from its root, values and types counted`, () => {
    const names = exportedNames(join(core, exportsMap['.']!));
    // The source author's names: if one is missing here the import in functions/*/src breaks first.
    expect(names).toEqual(
      expect.arrayContaining(['createHandler', 'defineSource', 'envList', 'TributaryError']),
    );
    expect(names.length, `root exports ${names.length} names: ${names.join(', ')}`).toBeLessThanOrEqual(
      MAX_ROOT_NAMES,
    );
  });

  const subpaths = Object.entries(exportsMap).filter(([path]) => path !== '.');

  it('has named subpaths besides the root', () => {
    expect(subpaths.length).toBeGreaterThan(0);
    for (const [path] of subpaths) expect(path).toMatch(/^\.\/[a-z][a-z-]*$/);
  });

  it.each(subpaths)('%s is an index file that exists and only re-exports', (_path, target) => {
    const file = join(core, target);
    expect(existsSync(file), `${target} does not exist`).toBe(true);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const statements = source.statements.filter((s) => !ts.isExportDeclaration(s));
    expect(statements.map((s) => s.getText(source))).toEqual([]);
    expect(exportedNames(file).length).toBeGreaterThan(0);
  });

  it.each(subpaths)('%s is imported by something outside packages/core', (path) => {
    const specifier = `@tributary/core/${path.slice(2)}`;
    const importers = filesOutsideCore().filter((f) =>
      new RegExp(`from '${specifier}'`).test(readFileSync(join(root, f), 'utf8')),
    );
    expect(importers, `nothing outside packages/core imports ${specifier}`).not.toEqual([]);
  });
});
