/**
 * The contract of a paginator: where the first page is, what to send for a page, and — from a page
 * just read — the state of the next one, or `null` when there is none. States are JSON, so a reader
 * can stop after any page and resume at the next one from its position.
 */
import * as z from 'zod';
import type { GeneratorChoice, KindBase, KindSchema } from '../definition/kinds.ts';
import type { PaginatorDefinition } from '../definition/schema.ts';
import type { ResponseHeaders } from '../http/types.ts';
import type { JsonValue } from '../stream/types.ts';

/** What a paginator may ask of a page's records: how many, and one of them (`at(-1)`: the last). */
export interface RecordList {
  readonly length: number;
  at(index: number): unknown;
}

export interface PageResult {
  /** The parsed body. */
  body: unknown;
  /** The page's records, as selected from the body (an array, or a list that parses a record when asked). */
  records: RecordList;
  headers: ResponseHeaders;
  /** The URL requested (relative next URLs resolve against it). */
  url: URL;
  /** Drops credential params from a URL the API gave, so that no state carries a secret. */
  cleanUrl(href: string): string;
}

export interface PageRequest {
  /** Params added to (or replacing those of) the stream's URL. */
  params?: Record<string, string>;
  /** A full URL to fetch instead of the stream's URL (next-URL and Link paginators). */
  url?: string;
  /**
   * Values set into the request's body (a paginator with `in: 'body'`), by dotted path (`after`,
   * `paging.after`) into the JSON body, or by field name into a form.
   */
  body?: Record<string, JsonValue>;
}

export interface Paginator<S extends JsonValue = JsonValue> {
  /** The state of the first page. */
  start(): S;
  request(state: S): PageRequest;
  /** The state of the page after this one, or `null` when this page is the last. */
  next(state: S, page: PageResult): S | null;
  /**
   * Up to `max` states of the pages after this one that the page proves exist (a total in the
   * body), in order, the first being what `next` gives; `[]` when unknown. The reader may fetch
   * them concurrently, ahead; it still emits pages in order and still asks `next` of each.
   */
  known?(state: S, page: PageResult, max: number): S[];
}

/**
 * A paginator kind, one module (`pagination/<type>.ts`), registered in `pagination/registry.ts`.
 * Everything is typed by its own schema: `create`, `bodyPaths` and `check` get `z.output<S>`.
 */
export interface PaginatorKind<S extends z.ZodType = KindSchema> extends KindBase<S> {
  /** The README's table row (definition/README.md, "Paginators"). */
  doc: { how: string; stopsOn: string };
  /**
   * The paths into the body (not into the records) the paginator reads from a page. A stream whose
   * paginator reads nothing inside the records array lands its pages as the API's bytes (scanned,
   * `http/streamPlan.ts`); a path left out here would hand the paginator a body whose records array
   * is emptied. The registry test runs each kind on a sample page and fails on an undeclared read.
   */
  bodyPaths(definition: z.output<S>): string[];
  /** Problems across the kind's fields the schema cannot express, each a sentence (`checkDefinition` adds the path). */
  check?(definition: z.output<S>): string[];
  create(definition: z.output<S>): Paginator;
}

/**
 * Declares a paginator kind: infers its schema's type, so `create` and the facts are typed by it, and
 * keeps its generator choice's type (the generator needs a variant for each offered kind).
 */
export const paginatorKind = <S extends KindSchema, const G extends GeneratorChoice>(
  kind: PaginatorKind<S> & { generator: G },
): PaginatorKind<S> & { generator: G } => kind;

export type PaginatorFactory<K extends PaginatorDefinition['type']> = (
  definition: Extract<PaginatorDefinition, { type: K }>,
) => Paginator;

/** A count in the body (`total`, `meta.total_pages`), or `undefined`. */
export function countAt(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Where a paginator sends its values: `query` params or the request's `body` (`json`/`form` requests). */
export const PlacementSchema = z.enum(['query', 'body']).default('query');

/** A paginator's values as a `PageRequest`: params (strings), or body values at their paths. */
export function placed(where: 'query' | 'body', values: Record<string, string | number>): PageRequest {
  if (where === 'body') return { body: values };
  return { params: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])) };
}
