/**
 * The README's tables of kinds (definition/README.md, "Auth kinds", "Paginators", "Request styles",
 * "Decoders"), rendered from
 * the registries and written between the README's `<!-- kinds:… -->` markers. A test fails when the
 * README is stale; `pnpm --filter @tributary/core kind-tables` (this file, run by node) rewrites it.
 * Not imported by the handler, so not in a Lambda bundle.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { authKinds } from '../auth/registry.ts';
import { decoderKinds } from '../decoding/registry.ts';
import { paginatorKinds } from '../pagination/registry.ts';
import { requestKinds } from '../request/registry.ts';

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const code = (text: string) => `\`${text}\``;

export function authTable(): string {
  const rows = Object.entries(authKinds).map(([type, kind]) => {
    const shape = kind.schema.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
    const keys = kind.secretKeyFields.map((field) =>
      code(shape[field]!.safeParse(undefined).success ? `${field}?` : field),
    );
    return row([code(type), kind.doc, keys.join(', ') || '—']);
  });
  return [row(['type', 'sends', 'secret keys']), row(['---', '---', '---']), ...rows].join('\n');
}

export function paginatorTable(): string {
  const rows = Object.entries(paginatorKinds).map(([type, kind]) =>
    row([code(type), kind.doc.how, kind.doc.stopsOn]),
  );
  return [row(['type', 'how', 'stops on']), row(['---', '---', '---']), ...rows].join('\n');
}

export function requestTable(): string {
  const rows = Object.entries(requestKinds).map(([type, kind]) =>
    row([code(type), kind.doc.sends, kind.doc.retries]),
  );
  return [row(['type', 'sends', 'retries']), row(['---', '---', '---']), ...rows].join('\n');
}

export function decoderTable(): string {
  const rows = Object.entries(decoderKinds).map(([type, kind]) =>
    row([code(type), kind.doc.decodes, kind.doc.records]),
  );
  return [row(['type', 'decodes', 'records']), row(['---', '---', '---']), ...rows].join('\n');
}

const TABLES: Record<string, () => string> = {
  auth: authTable,
  paginators: paginatorTable,
  requests: requestTable,
  decoders: decoderTable,
};

/** The README with each `<!-- kinds:<name> -->` … `<!-- /kinds:<name> -->` region rendered anew. */
export function withKindTables(readme: string): string {
  let text = readme;
  for (const [name, render] of Object.entries(TABLES)) {
    const open = `<!-- kinds:${name} (generated from the registry: pnpm --filter @tributary/core kind-tables) -->`;
    const close = `<!-- /kinds:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`definition/README.md: no "${open}" … "${close}" region`);
    text = `${text.slice(0, start + open.length)}\n${render()}\n${text.slice(end)}`;
  }
  return text;
}

export const README = fileURLToPath(new URL('README.md', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(README, withKindTables(readFileSync(README, 'utf8')));
}
