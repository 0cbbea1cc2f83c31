/**
 * The contract of a request style (`request` on a stream): the method, whether a failed attempt may
 * be sent again, and the body of each page, rendered from the definition's templates for a walk
 * and completed with what the paginator writes into it. Like the paginators, one module per kind
 * (`request/<type>.ts`), registered in `request/registry.ts` (packages/core/README.md, "Adding a kind").
 */
import type * as z from 'zod';
import type { GeneratorChoice, KindBase, KindSchema } from '../definition/kinds.ts';
import type { JsonValue } from '../stream/types.ts';
import type { Template, TemplateValues } from '../template/template.ts';

export type RequestMethod = 'GET' | 'POST' | 'PUT';

export type Where = { source: string; stream: string };

/** A page's body, encoded, with the headers that describe it. */
export interface EncodedBody {
  body: string;
  contentType: string;
}

export interface RequestStyle {
  method: RequestMethod;
  /**
   * Whether an attempt that may have reached the API (a 5xx, a timeout, a reset connection) may be
   * sent again. A GET may (RFC 9110 §9.2.2: it is idempotent); a POST or PUT only when the
   * definition says `retrySafe: true` (request/README.md, "Retries").
   */
  retrySafe: boolean;
  /** The body's templates (what the walk's requests depend on: the window, a partition, a parent). */
  templates: Template[];
  /**
   * The walk's body, its templates rendered, or `undefined` for no body. A window bound without a
   * value (no `since` on a full read) drops its field, as it drops a param; any other placeholder
   * without a value is a `TemplateError`.
   */
  render(values: TemplateValues, where: Where): unknown;
  /**
   * A page's body: the walk's (as `render` gave it, not changed), with the paginator's values set at
   * their paths (`PageRequest.body`), encoded; `undefined` for a request without a body.
   */
  encode(rendered: unknown, set: Readonly<Record<string, JsonValue>> | undefined): EncodedBody | undefined;
}

/** A request kind, one module (`request/<type>.ts`), registered in `request/registry.ts`. */
export interface RequestKind<S extends z.ZodType = KindSchema> extends KindBase<S> {
  /** The README's table row (definition/README.md, "Request styles"). */
  doc: { sends: string; retries: string };
  /** Whether a paginator may write into the body (`in: 'body'`). */
  carriesBody: boolean;
  /** The body's template texts by where they are (`body.filters.0.value`), for `checkDefinition`. */
  templates(definition: z.output<S>): Record<string, string>;
  create(definition: z.output<S>): RequestStyle;
}

/** Declares a request kind: infers its schema's type, so `create` and the facts are typed by it. */
export const requestKind = <S extends KindSchema, const G extends GeneratorChoice>(
  kind: RequestKind<S> & { generator: G },
): RequestKind<S> & { generator: G } => kind;
