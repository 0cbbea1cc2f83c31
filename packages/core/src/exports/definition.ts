/**
 * `@tributary/core/definition`: for tools that read or generate source definitions (the sandbox's
 * local shell, `scripts/new-source.ts`, `pnpm check`): the definition schema, the registered kinds,
 * the name of a source's per-source environment variables, and — for `pnpm check`, which reads a
 * stream's first page the way a run does — the reader (`createReader`), its redactor, the dotted
 * path getter and how a source's secret is loaded.
 */
export { authKinds, readsSecret, secretKeysOf } from '../auth/registry.ts';
export type { AuthDefinition, PaginatorDefinition, RequestDefinition } from '../definition/schema.ts';
export { SourceSchema } from '../definition/schema.ts';
export { sourceEnvName } from '../handler/environment.ts';
export { createReader } from '../http/createReader.ts';
export { REDACTED, Redactor } from '../http/Redactor.ts';
export { paginatorKinds } from '../pagination/registry.ts';
export { requestKinds } from '../request/registry.ts';
export { loadCredentials } from '../secrets/credentials.ts';
export type { ApiRecord, Page, ReaderContext, StreamReader } from '../stream/types.ts';
export { compilePath } from '../template/getPath.ts';
