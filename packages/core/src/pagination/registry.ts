/** The paginators by `type`: adding a kind is adding a file and a line here. */
import type { PaginatorDefinition } from '../definition/schema.ts';
import { cursor } from './cursor.ts';
import { link } from './link.ts';
import { nextUrl } from './nextUrl.ts';
import { offset } from './offset.ts';
import { page } from './page.ts';
import { single } from './single.ts';
import type { Paginator, PaginatorFactory } from './types.ts';

export const paginatorKinds: { [K in PaginatorDefinition['type']]: PaginatorFactory<K> } = {
  single,
  offset,
  page,
  cursor,
  nextUrl,
  link,
};

export function createPaginator(definition: PaginatorDefinition): Paginator {
  const factory = paginatorKinds[definition.type] as PaginatorFactory<PaginatorDefinition['type']>;
  return factory(definition as never);
}
