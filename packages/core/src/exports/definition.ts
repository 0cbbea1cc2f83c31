/**
 * `@tributary/core/definition`: for tools that read or generate source definitions (the sandbox's
 * local shell, `scripts/new-source.ts`): the definition schema, the registered kinds, and the name
 * of a source's per-source environment variables.
 */
export { authKinds } from '../auth/registry.ts';
export type { AuthDefinition, PaginatorDefinition } from '../definition/schema.ts';
export { SourceSchema } from '../definition/schema.ts';
export { sourceEnvName } from '../handler/environment.ts';
export { paginatorKinds } from '../pagination/registry.ts';
