/**
 * ➕ Typed leaves of a JSON body (definition/README.md, "Request styles"): a template renders to a
 * string, so an API that wants a number or a boolean (`"limit": 100` from a parent's count, epoch
 * milliseconds as a number) says so with an object of one key:
 *
 *   { "$number": "{since:unixMs}" }   → 1767225600000
 *   { "$boolean": "{parent.archived}" } → true
 *
 * The template is checked like any other; when the definition loads, the leaf must have that one
 * key and a string, and a template without placeholders must already be a number (or `true` /
 * `false`). A rendered value that is not one is a `TemplateError` naming the body path, the
 * template and the value.
 */
import { TemplateError } from '../errors.ts';
import type { JsonValue } from '../stream/types.ts';
import { compileTemplate, type Template } from '../template/template.ts';
import type { Where } from './types.ts';

export const TYPED_KEYS = { $number: 'number', $boolean: 'boolean' } as const;
export type TypedType = (typeof TYPED_KEYS)[keyof typeof TYPED_KEYS];

/** A compiled typed leaf. */
export interface TypedLeaf {
  typed: TypedType;
  template: Template;
}

const isTypedKey = (key: string): key is keyof typeof TYPED_KEYS => Object.hasOwn(TYPED_KEYS, key);

/** The typed leaf a body value is (its type and template text), or undefined for any other value. */
export function typedLeafOf(value: JsonValue): { type: TypedType; source: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !isTypedKey(keys[0]!)) return undefined;
  const source = value[keys[0]!];
  return typeof source === 'string' ? { type: TYPED_KEYS[keys[0]!], source } : undefined;
}

/** `text` as the leaf's type, or undefined when it is not one. */
function parse(type: TypedType, text: string): number | boolean | undefined {
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  const number = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(number) ? number : undefined;
}

const describe = (type: TypedType) => (type === 'number' ? 'a number' : 'true or false');

export function toTyped(leaf: TypedLeaf, rendered: string, where: Where, at: string): number | boolean {
  const value = parse(leaf.typed, rendered);
  if (value !== undefined) return value;
  const key = leaf.typed === 'number' ? '$number' : '$boolean';
  throw new TemplateError(
    `request ${at}: {"${key}": ${JSON.stringify(leaf.template.source)}} rendered ${JSON.stringify(rendered)}, ` +
      `not ${describe(leaf.typed)}; check the value it reads (a parent field, a partition value, the date format), ` +
      'or send the leaf as a string template',
    { where },
  );
}

/** A problem of a typed leaf: where it is in the body (keys from the body's root) and what is wrong. */
export interface TypedLeafProblem {
  path: (string | number)[];
  message: string;
}

/**
 * The problems of the typed leaves in a body: a `$number` / `$boolean` key beside other keys or
 * with no string, and a constant template that is not of its type.
 */
export function typedLeafProblems(value: JsonValue, path: (string | number)[] = []): TypedLeafProblem[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => typedLeafProblems(v, [...path, i]));
  const keys = Object.keys(value);
  const typedKey = keys.find(isTypedKey);
  if (typedKey === undefined)
    return Object.entries(value).flatMap(([k, v]) => typedLeafProblems(v, [...path, k]));
  const type = TYPED_KEYS[typedKey];
  const source = value[typedKey];
  if (keys.length !== 1 || typeof source !== 'string') {
    const message =
      `a typed leaf is an object of one key, {"${typedKey}": "<template>"} with a string, ` +
      `got ${JSON.stringify(value)}`;
    return [{ path, message }];
  }
  const template = compileTemplate(source);
  if (template.placeholders.length === 0 && parse(type, source) === undefined)
    return [{ path: [...path, typedKey], message: `${JSON.stringify(source)} is not ${describe(type)}` }];
  return [];
}
