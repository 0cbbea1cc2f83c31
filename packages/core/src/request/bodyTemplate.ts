/**
 * Templates inside a JSON body: every string leaf is a template (`{since}`, `{until:unixMs}`, a
 * partition value, `{parent.id}`), rendered once per walk to a string; numbers, booleans and `null`
 * stay as they are. ➕ A typed leaf, `{ "$number": "<template>" }` or `{ "$boolean": "<template>" }`
 * (an object of that one key), renders its template and sends it as a JSON number or boolean
 * (`typedLeaf.ts`). The paginator's values are then set at dotted paths (`after`, `paging.after`)
 * into a copy of the walk's body, page by page.
 */
import { TemplateError } from '../errors.ts';
import type { JsonValue } from '../stream/types.ts';
import { compileTemplate, renderTemplate, type Template, type TemplateValues } from '../template/template.ts';
import { type TypedLeaf, toTyped, typedLeafOf } from './typedLeaf.ts';
import type { Where } from './types.ts';

const WINDOW = new Set(['since', 'until']);

/** A JSON value whose string leaves are compiled templates. */
type Compiled = Template | TypedLeaf | number | boolean | null | Compiled[] | { [key: string]: Compiled };

/**
 * The compiled templates and typed leaves, known by identity: a body's own object may have any keys
 * (`{ "parts": … }`, `{ "typed": … }`) and is never taken for one.
 */
const compiled = new WeakSet<object>();
const isTemplate = (value: Compiled): value is Template =>
  value !== null && typeof value === 'object' && compiled.has(value) && 'parts' in value;
const isTyped = (value: Compiled): value is TypedLeaf =>
  value !== null && typeof value === 'object' && compiled.has(value) && 'typed' in value;
const mark = <T extends object>(value: T): T => {
  compiled.add(value);
  return value;
};

/** Drops a field whose window bound has no value (a full read has no `since`). */
const DROPPED = Symbol('dropped');

export function compileBody(body: JsonValue): Compiled {
  if (typeof body === 'string') return mark(compileTemplate(body));
  if (Array.isArray(body)) return body.map(compileBody);
  const typed = typedLeafOf(body);
  if (typed) return mark({ typed: typed.type, template: mark(compileTemplate(typed.source)) });
  if (body !== null && typeof body === 'object')
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, compileBody(v)]));
  return body;
}

/** The compiled templates of a body, in order. */
export function bodyTemplates(body: Compiled): Template[] {
  if (isTemplate(body)) return [body];
  if (isTyped(body)) return [body.template];
  if (Array.isArray(body)) return body.flatMap(bodyTemplates);
  if (body !== null && typeof body === 'object') return Object.values(body).flatMap(bodyTemplates);
  return [];
}

/** The string leaves of a JSON value by their dotted path (`filters.0.value`). */
export function templateLeaves(value: JsonValue, at: string): Record<string, string> {
  if (typeof value === 'string') return { [at]: value };
  const typed = typedLeafOf(value);
  if (typed) return { [at]: typed.source };
  if (value === null || typeof value !== 'object') return {};
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return Object.assign({}, ...entries.map(([k, v]) => templateLeaves(v, `${at}.${k}`)));
}

export function renderBody(body: Compiled, values: TemplateValues, where: Where, at = 'body'): JsonValue {
  const out = renderValue(body, values, where, at);
  return out === DROPPED ? null : out;
}

function renderValue(
  body: Compiled,
  values: TemplateValues,
  where: Where,
  at: string,
): JsonValue | typeof DROPPED {
  if (isTemplate(body)) {
    const rendered = renderTemplate(body, values);
    if (rendered.missing === undefined) return rendered.value;
    if (WINDOW.has(rendered.missing)) return DROPPED;
    throw missingValue(where, at, rendered.missing);
  }
  if (isTyped(body)) {
    const rendered = renderValue(body.template, values, where, at);
    return rendered === DROPPED ? DROPPED : toTyped(body, rendered as string, where, at);
  }
  if (Array.isArray(body)) {
    return body
      .map((v, i) => renderValue(v, values, where, `${at}.${i}`))
      .filter((v): v is JsonValue => v !== DROPPED);
  }
  if (body !== null && typeof body === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(body)) {
      const value = renderValue(v, values, where, `${at}.${k}`);
      if (value !== DROPPED) out[k] = value;
    }
    return out;
  }
  return body;
}

export function missingValue(where: Where, at: string, name: string): TemplateError {
  const why = name.startsWith('parent.') ? 'the parent record has no such field' : 'no value in this run';
  return new TemplateError(`request ${at}: {${name}} has no value (${why})`, { where });
}

/**
 * A copy of `body` with each value set at its dotted path; objects on the way are created (or
 * copied), so the walk's body is never changed.
 */
export function withValues(body: JsonValue, set: Readonly<Record<string, JsonValue>> | undefined): JsonValue {
  if (!set || Object.keys(set).length === 0) return body;
  const root: Record<string, JsonValue> = isObject(body) ? { ...body } : {};
  for (const [path, value] of Object.entries(set)) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) {
      const child = node[key];
      const copy: Record<string, JsonValue> = isObject(child) ? { ...child } : {};
      node[key] = copy;
      node = copy;
    }
    node[keys.at(-1)!] = value;
  }
  return root;
}

const isObject = (value: JsonValue | undefined): value is Record<string, JsonValue> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
