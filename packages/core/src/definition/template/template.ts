/**
 * Templates in paths, params and headers: `{since}`, `{since:unix}`, `{until:unixMs}`, `{since:date}`,
 * a partition value `{owner}`, a parent record field `{parent.number}`. In a path each value is
 * percent-encoded as one segment; `{+name}` inserts it as is (RFC 6570 reserved expansion), e.g.
 * `{+parent.comments_url}` for a URL the parent record holds. Params are encoded when the query is
 * built; headers take values as they are.
 */
import { compilePath, type PathGetter } from './getPath.ts';

/**
 * How a date is written. @default 'iso' (`2026-11-01T00:00:00Z`); `floating` is UTC without a zone,
 * to the millisecond (`2026-11-01T00:00:00.000`), as SoQL (Socrata) timestamp literals want it.
 */
export const DATE_FORMATS = ['iso', 'unix', 'unixMs', 'date', 'floating'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const PLACEHOLDER = /\{(\+?)([A-Za-z_][\w-]*(?:\.[\w:$-]+)*)(?::(iso|unix|unixMs|date|floating))?\}/g;

export interface Placeholder {
  /** `since`, `until`, `owner`, `parent.number`. */
  name: string;
  raw: boolean;
  format?: DateFormat;
  /** For `parent.*`: reads the field from the parent record. */
  parentPath?: PathGetter;
}

export interface Template {
  source: string;
  parts: (string | Placeholder)[];
  placeholders: Placeholder[];
}

export interface TemplateValues {
  since?: Date;
  until?: Date;
  /** The partition's values. */
  vars?: Readonly<Record<string, string | number | boolean>>;
  parent?: unknown;
}

export function compileTemplate(source: string): Template {
  const parts: (string | Placeholder)[] = [];
  const placeholders: Placeholder[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(source.slice(last, match.index));
    const name = match[2]!;
    const placeholder: Placeholder = { name, raw: match[1] === '+' };
    if (match[3]) placeholder.format = match[3] as DateFormat;
    if (name.startsWith('parent.')) placeholder.parentPath = compilePath(name.slice('parent.'.length));
    parts.push(placeholder);
    placeholders.push(placeholder);
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return { source, parts, placeholders };
}

const LOOKS_LIKE_PLACEHOLDER = /\{\+?[A-Za-z_][^{}\s"]*\}/g;

/** Tokens that look like placeholders but are not valid ones (`{since:fmt}`, `{a..b}`), to report them. */
export function malformedPlaceholders(source: string): string[] {
  return [...source.matchAll(LOOKS_LIKE_PLACEHOLDER)]
    .map((m) => m[0])
    .filter((token) => {
      const match = token.match(new RegExp(`^${PLACEHOLDER.source}$`));
      return match === null;
    });
}

export function formatDate(date: Date, format: DateFormat = 'iso'): string {
  switch (format) {
    case 'unix':
      return String(Math.floor(date.getTime() / 1000));
    case 'unixMs':
      return String(date.getTime());
    case 'date':
      return date.toISOString().slice(0, 10);
    case 'floating':
      return date.toISOString().slice(0, -1);
    default: {
      const iso = date.toISOString();
      return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
    }
  }
}

/** The value of one placeholder, or `undefined` when there is none. */
export function placeholderValue(placeholder: Placeholder, values: TemplateValues): string | undefined {
  const { name } = placeholder;
  if (name === 'since' || name === 'until') {
    const date = values[name];
    return date ? formatDate(date, placeholder.format) : undefined;
  }
  let value: unknown;
  if (placeholder.parentPath) value = placeholder.parentPath(values.parent);
  else value = values.vars?.[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Renders a template. Returns `{ missing }` naming the first placeholder without a value instead of
 * guessing one. `encode` is applied to each value unless the placeholder is `{+raw}`.
 */
export function renderTemplate(
  template: Template,
  values: TemplateValues,
  encode?: (value: string) => string,
): { value: string; missing?: undefined } | { value?: undefined; missing: string } {
  if (template.placeholders.length === 0) return { value: template.source };
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = placeholderValue(part, values);
    if (value === undefined) return { missing: part.name };
    out += encode && !part.raw ? encode(value) : value;
  }
  return { value: out };
}
