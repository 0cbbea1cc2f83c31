/**
 * The sources the sandbox speaks, derived from the sources' doubles: every
 * `functions/<source>/double/index.ts` that exports a `sandboxApi` (a `SandboxApiDouble`) is one.
 * A double written for the local pipeline only (`sandboxDouble`, what `pnpm new-source` writes) is
 * served on a loopback server of its own instead (local/doubles.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SandboxApiDouble, SourceName } from './api.ts';
import { SandboxError, SandboxOptionsError } from './errors.ts';
import { repoRoot } from './local/paths.ts';

/** Where a source's double lives, relative to the repository root. */
export const doubleModule = (source: string) => `functions/${source}/double/index.ts`;

function isApiDouble(value: unknown): value is SandboxApiDouble {
  const d = value as Partial<SandboxApiDouble> | undefined;
  return typeof d?.name === 'string' && typeof d.create === 'function' && typeof d.credentials === 'object';
}

/** The doubles under `root`/functions that export a `sandboxApi`, by folder name. */
export async function discoverApiDoubles(root: string = repoRoot): Promise<SandboxApiDouble[]> {
  const functions = join(root, 'functions');
  const found: SandboxApiDouble[] = [];
  const folders = existsSync(functions) ? readdirSync(functions, { withFileTypes: true }) : [];
  for (const folder of folders.filter((f) => f.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const module = doubleModule(folder.name);
    if (!existsSync(join(root, module))) continue;
    const exported = ((await import(pathToFileURL(join(root, module)).href)) as { sandboxApi?: unknown })
      .sandboxApi;
    if (exported === undefined) continue;
    if (!isApiDouble(exported)) {
      throw new SandboxError(
        `${module}: sandboxApi must be a SandboxApiDouble ({ name, credentials, create }, see @tributary/sandbox/double)`,
      );
    }
    if (exported.name !== folder.name) {
      throw new SandboxError(
        `${module}: sandboxApi.name is "${exported.name}"; it must be the source's folder name, "${folder.name}"`,
      );
    }
    found.push(exported);
  }
  return found;
}

/** The sandbox's APIs, one per double found in this repository, in name order. */
export const API_DOUBLES: readonly SandboxApiDouble[] = await discoverApiDoubles();

/** The names of the sources the sandbox speaks (derived: see the header). */
export const SOURCE_NAMES: readonly SourceName[] = API_DOUBLES.map((d) => d.name);

/** `source` as a `SourceName`, or a clear error listing the sources there are (`what` names the option). */
export function knownSource(source: string, what?: string): SourceName {
  if (!(SOURCE_NAMES as readonly string[]).includes(source)) {
    throw new SandboxOptionsError(
      `${what ? `${what}: ` : ''}unknown source "${source}"; valid: ${SOURCE_NAMES.join(', ')} (the sources with a functions/<source>/double/index.ts exporting sandboxApi)`,
    );
  }
  return source as SourceName;
}
