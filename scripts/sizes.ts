/**
 * Function and file sizes across the code a reader maintains: every `.ts` under `packages/*\/src`
 * and `functions/*\/src` (TypeScript compiler API: function declarations, methods, accessors,
 * constructors, arrow functions and function expressions) and every `.py` under
 * `glue-scripts/tributary_curate` (Python's `ast`, through `scripts/sizes.py`). A size is the count
 * of lines from a node's first line to its last. `test/repo/sizes.test.ts` holds them to the limits;
 * `pnpm run sizes:update` rewrites `test/repo/size-allowlist.json` from the current tree.
 */
import { execFileSync } from 'node:child_process';
import { type Dirent, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const MAX_FUNCTION_LINES = 60;
export const MAX_FILE_LINES = 300;
export const root = join(import.meta.dirname, '..');
export const ALLOWLIST = join(root, 'test/repo/size-allowlist.json');

/** One measured thing: a whole file (`name` absent) or one function in it. */
export interface Size {
  path: string;
  name?: string;
  lines: number;
}

function walk(dir: string, ext: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === '__pycache__' ? [] : walk(p, ext);
    return e.name.endsWith(ext) ? [p] : [];
  });
}

function tsSources(): string[] {
  return ['packages', 'functions'].flatMap((top) =>
    readdirSync(join(root, top), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => walk(join(root, top, d.name, 'src'), '.ts')),
  );
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** A readable name for a function node: its own name, else the variable, property or call it sits in. */
function functionName(node: ts.Node, file: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && !ts.isComputedPropertyName(named.name)) return named.name.getText(file);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(file);
  }
  if (ts.isCallExpression(parent)) return `${parent.expression.getText(file).slice(0, 40)}(callback)`;
  return '(anonymous)';
}

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

export function measureTs(path: string, text: string): Size[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const rel = relative(root, path);
  const sizes: Size[] = [{ path: rel, lines: lineCount(text) }];
  const visit = (node: ts.Node): void => {
    if (isFunction(node) && node.body) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      sizes.push({ path: rel, name: functionName(node, file), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return sizes;
}

function measurePython(): Size[] {
  const files = walk(join(root, 'glue-scripts/tributary_curate'), '.py').map((p) => relative(root, p));
  if (files.length === 0) return [];
  const out = execFileSync(join(root, '.venv/bin/python'), [join(root, 'scripts/sizes.py'), ...files], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Size[];
}

/** Every file and function in scope with its size. */
export function measureAll(): Size[] {
  const tsSizes = tsSources().flatMap((p) => measureTs(p, readFileSync(p, 'utf8')));
  return [...tsSizes, ...measurePython()];
}

/** The sizes over the limits, one entry per file or function, as the allowlist stores them. */
export function overLimits(sizes: Size[]): Size[] {
  return sizes
    .filter((s) => s.lines > (s.name === undefined ? MAX_FILE_LINES : MAX_FUNCTION_LINES))
    .sort((a, b) => a.path.localeCompare(b.path) || (a.name ?? '').localeCompare(b.name ?? ''));
}

export function key(s: Pick<Size, 'path' | 'name'>): string {
  return s.name === undefined ? s.path : `${s.path} :: ${s.name}`;
}

if (process.argv[1] === import.meta.filename && process.argv.includes('--update')) {
  const over = overLimits(measureAll());
  writeFileSync(ALLOWLIST, `${JSON.stringify(over, null, 2)}\n`);
  console.log(`${ALLOWLIST}: ${over.length} entries`);
}
