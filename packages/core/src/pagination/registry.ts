/**
 * The paginators by `type`: adding a kind is adding its file and a line here (packages/core/README.md,
 * "Adding a kind"). The definition's `paginator` schema and type, its checks, the scan fast path's
 * body paths, the README's table and the generator's choices all come from this map.
 */
import type * as z from 'zod';
import { kindsOf, unionOf } from '../definition/kinds.ts';
import { cursor } from './cursor.ts';
import { headerCursor } from './headerCursor.ts';
import { link } from './link.ts';
import { nextUrl } from './nextUrl.ts';
import { offset } from './offset.ts';
import { page } from './page.ts';
import { single } from './single.ts';
import type { Paginator, PaginatorKind } from './types.ts';

export const paginatorKinds = { single, offset, page, cursor, nextUrl, link, headerCursor };

/** A stream's `paginator`: one of the registered kinds, by `type`. */
export const PaginatorSchema = unionOf(paginatorKinds);
export type PaginatorDefinition = z.output<typeof PaginatorSchema>;

/** The kind of a definition, its methods taking that definition (`kindsOf`). */
const kindOf = kindsOf<PaginatorKind<typeof PaginatorSchema>>(paginatorKinds);

export function createPaginator(definition: PaginatorDefinition): Paginator {
  return kindOf(definition).create(definition);
}

/** The paths into the body the paginator reads (see `PaginatorKind.bodyPaths`). */
export function bodyPathsOf(definition: PaginatorDefinition): string[] {
  return kindOf(definition).bodyPaths(definition);
}

/** Problems across the paginator's fields, each a sentence. */
export function checkPaginator(definition: PaginatorDefinition): string[] {
  return kindOf(definition).check?.(definition) ?? [];
}

/** Whether the paginator writes into the request's body (`in: 'body'`) rather than the query. */
export function writesBody(definition: PaginatorDefinition): boolean {
  return 'in' in definition && definition.in === 'body';
}
