/**
 * The docs point at what exists: every relative Markdown link and every backticked repository path
 * in a `*.md` file names a file or folder of the repository, and nothing mentions the architecture
 * document the repository does not have (docs/contracts.md is the contract).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && existsSync(join(root, f)) && !/(^|\/)(node_modules|\.venv|\.tools)\//.test(f));
const markdown = files.filter((f) => f.endsWith('.md'));
/** Made at run time, so this file does not mention it. */
const MISSING_DOC = ['ARCHITECTURE', 'md'].join('.');
/** Written by tools at run time, not kept in the repository. */
const GENERATED = /(^|\/)(\.local|\.serverless|\.esbuild|\.venv|\.tools|node_modules|dist|coverage)(\/|$)/;
/** Every file as a path, templates as what they generate (`double/index.ts.tmpl` → `double/index.ts`). */
const known = files.map((f) => `/${f.replace(/\.tmpl$/, '')}`);

function exists(from: string, target: string): boolean {
  const path = target.replace(/[#?].*$/, '').replace(/\/$/, '');
  if (path === '') return true;
  return [join(root, dirname(from), path), join(root, path)].some((p) => existsSync(normalize(p)));
}

describe('docs', () => {
  it(`no file mentions ${MISSING_DOC}, which the repository does not have`, () => {
    expect(existsSync(join(root, MISSING_DOC))).toBe(false);
    const mentions = files.filter((f) => {
      if (!/\.(md|ts|js|cjs|mjs|py|ya?ml|json|sh|tmpl|toml)$/.test(f) || f === 'pnpm-lock.yaml') return false;
      return readFileSync(join(root, f), 'utf8').includes(MISSING_DOC);
    });
    expect(mentions).toEqual([]);
  });

  it('every relative Markdown link names a file that exists', () => {
    expect(markdown.length).toBeGreaterThan(10);
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        if (/^([a-z]+:|#)/i.test(target!)) continue;
        if (!exists(file, target!)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every backticked repository path in a Markdown file exists', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, path] of text.matchAll(
        /`((?:\.\.?\/)*[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]*\.[A-Za-z0-9]+)`/g,
      )) {
        // placeholders, globs and URLs are not paths of this repository
        if (/[<>*{}$]|:\/\//.test(path!) || GENERATED.test(path!.replace(/^\.\//, ''))) continue;
        // relative to the file or the root, or a package's own path (`src/source.ts`, `http/transport.ts`)
        const bare = path!.replace(/^\.\//, '');
        if (exists(file, path!) || known.some((k) => k.endsWith(`/${bare}`))) continue;
        broken.push(`${file}: ${path}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("functions/README.md's package layout is what pnpm new-source writes", () => {
    const text = readFileSync(join(root, 'functions/README.md'), 'utf8');
    const block = /```\nfunctions\/<name>\/\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const listed = [...block.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
    const templates = files
      .filter((f) => f.startsWith('scripts/templates/new-source/') && f.endsWith('.tmpl'))
      .map((f) => f.slice('scripts/templates/new-source/'.length, -'.tmpl'.length))
      .map((f) => (f === 'test/source.test.ts' ? 'test/<name>.test.ts' : f));
    expect(listed.length).toBeGreaterThan(5);
    expect([...listed].sort()).toEqual([...templates].sort());
  });
});
