/**
 * What every kind (a paginator, an auth kind) has in common, the one step that turns a registry of
 * kinds into the definition's schema, and the one that finds a definition's kind in it. A kind is
 * one module: its zod schema, its implementation (typed by that schema's output), and the facts the
 * rest of the core and the generator read from it. The registry is an object of kinds keyed by
 * `type`; `unionOf(registry)` is the definition's discriminated union, so `z.output` of it is the
 * definition's type: one source for the schema, the types, the checks, the docs table and the
 * generator's choices (packages/core/README.md, "Adding a kind"); `kindsOf(registry)` is its typed
 * lookup.
 */
import * as z from 'zod';

/** A kind's schema: a strict object whose `type` is the kind's name (its key in the registry). */
export type KindSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.core.$ZodShape, z.core.$strict>;

/** Whether `pnpm new-source` offers the kind; if not, what an author does instead. */
export type GeneratorChoice = { offered: true } | { offered: false; instead: string };

/** What the registry needs of every kind, whatever it is. */
export interface KindBase<S extends z.ZodType = KindSchema> {
  schema: S;
  /**
   * Definitions of this kind as a source author writes them: the first is the one `pnpm new-source`
   * writes; the registry test parses and runs each (give one per body path or secret key it can read).
   */
  examples: readonly [z.input<S>, ...z.input<S>[]];
  generator: GeneratorChoice;
}

/** A registry: kinds keyed by their `type`. */
export type Registry = Record<string, KindBase<KindSchema>>;

/** Each kind keyed by its schema's `type`: `{ single: <a kind whose type is 'single'>, … }`, checked by the compiler. */
type Keyed<R> = { [K in keyof R]: { schema: { shape: { type: { value: K } } } } };

/** The union of the registry's schemas. */
type SchemaOf<R extends Registry> = R[keyof R]['schema'];

/**
 * The definition's schema for a registry: a discriminated union on `type` of the kinds' schemas, in
 * registry order (zod's "valid kinds: …" lists them in that order).
 */
export function unionOf<R extends Registry & Keyed<R>>(kinds: R) {
  const schemas = Object.values(kinds).map((kind) => kind.schema);
  // A tuple of the registry's schemas: zod wants at least one, the registry test checks there are.
  return z.discriminatedUnion('type', schemas as [SchemaOf<R>, ...SchemaOf<R>[]]);
}

/** The name of a kind's schema's `type`. */
export const kindName = (schema: KindSchema): string => schema.shape.type.value;

/**
 * A registry's lookup: the kind of a definition, its methods taking that definition (`Kind` is the
 * kind's interface over the registry's union: `PaginatorKind<typeof PaginatorSchema>`). The one cast
 * every registry needs: a definition's `type` names its kind (`unionOf` makes the compiler check each
 * key against its schema's `type`), which TypeScript cannot follow through a union.
 */
export function kindsOf<Kind extends KindBase<z.ZodType>>(
  kinds: Registry,
): (definition: z.output<Kind['schema']>) => Kind {
  const byType: Record<string, unknown> = kinds;
  return (definition) => byType[(definition as { type: string }).type] as Kind;
}
